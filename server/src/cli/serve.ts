// The default command: start, print where to reach the server, stop gracefully on a signal.
import path from 'node:path';
import { describeConfig, type Config } from '../config.ts';
import { startServer } from '../server.ts';
import { isPostgresUrl, sqliteFileFor } from '../store/database.ts';
import { SERVER_VERSION } from '../version.ts';
import { cliCommand, storageFlags } from './invocation.ts';

export async function serve(config: Config): Promise<void> {
  const server = await startServer(config);
  console.log(`Switchboard server ${SERVER_VERSION}`);
  if (isPostgresUrl(config.databaseUrl)) {
    const database = describeConfig(config).databaseUrl as string;
    console.log(`Database: ${database} (PostgreSQL); files in ${path.resolve(config.dataDir)}`);
  } else {
    const storage = config.databaseUrl
      ? `Database: ${path.resolve(sqliteFileFor(config))}`
      : `Data directory: ${path.resolve(config.dataDir)}`;
    console.log(`${storage} (SQLite, durability ${config.durability})`);
  }
  console.log(`Switchboard server listening on ${server.url}`);
  if (server.setupCode) {
    console.log(`
No users yet. Create the first admin in one of two ways:
  1. From a terminal (works while the server runs):
       echo 'choose-a-long-password' | ${cliCommand(process.argv[1] ?? '', process.env)} user add admin --admin --password-stdin ${storageFlags(config)}
  2. In a browser: open ${server.url}/ and enter this one-time setup code:
       ${server.setupCode}
`);
  }

  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1); // a second Ctrl+C means now
    console.log(`${signal} received: stopping (finishing in-flight messages)…`);
    server.close().then(
      () => {
        console.log('Switchboard server stopped');
        process.exit(0);
      },
      (err: unknown) => {
        console.error('error during shutdown:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
