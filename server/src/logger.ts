import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on standard output (or `fd`). Written synchronously: the server prints its banner with
 * console.log on the same stream, and an asynchronous log write could land before or after it.
 * Logging is rare (no per-request lines), so the blocking write costs nothing that matters.
 */
export function createLogger(level: string, fd = 1): Logger {
  return pino({ level, base: { service: 'switchboard-server' } }, pino.destination({ dest: fd, sync: true }));
}
