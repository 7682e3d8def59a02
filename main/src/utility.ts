// Entry point of the session core's utility process (utilityProcess.fork in main/src/index.ts).
import { openFileLog } from './shared/file-log.ts';
import { runUtility, type ParentPortLike } from './utility/run.ts';

const parent = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parent) throw new Error('the session core runs as an Electron utility process (process.parentPort)');

runUtility(parent, {
  openLog: async (logsDir) => {
    const log = await openFileLog(logsDir, 'session');
    process.on('uncaughtException', (err) => {
      log.fatal({ error: err.message, stack: err.stack }, 'uncaught exception in the session core');
      log.flush();
      process.exit(70);
    });
    return log;
  },
  exit: (code) => process.exit(code),
});
