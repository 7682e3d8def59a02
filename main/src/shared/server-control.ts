// The control channel between main and the local server's utility process (process.parentPort): run
// the bundled switchboard-server command line with these arguments, and stop as on SIGTERM (which
// Windows cannot send to another process). What the server prints comes back on its standard output.
// The process parses every message with this schema; one that does not match is refused and ignored.
import { z } from 'zod';

export const ToServerProcess = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('run'),
    /** The server's command line (server/dist/cli.js as the app ships it). */
    cli: z.string().min(1).max(4096),
    args: z.array(z.string().max(4096)).max(32),
  }),
  z.strictObject({ type: z.literal('stop') }),
]);
export type ToServerProcess = z.infer<typeof ToServerProcess>;
