// Where the session core reports what it dropped or could not do (an invalid server event, a
// storage write that failed). The app decides where that goes — a pino logger in the desktop
// utility process, stderr in the CLI, the console in the browser worker; left out, nothing is
// reported.

export interface Logger {
  /** Something was dropped or will be retried; the session carries on. */
  warn(message: string, details?: Record<string, unknown>): void;
  /** Something failed that a person may have to look into (e.g. the disk refused a write). */
  error(message: string, details?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { warn: () => {}, error: () => {} };

/**
 * The browser's console: in a worker it shows in the worker's DevTools, which is where someone
 * looking into a web client's session would look.
 */
export const consoleLogger: Logger = {
  // eslint-disable-next-line no-console -- the console is this logger's destination
  warn: (message, details) => console.warn(`switchboard session: ${message}`, details ?? {}),
  // eslint-disable-next-line no-console -- the console is this logger's destination
  error: (message, details) => console.error(`switchboard session: ${message}`, details ?? {}),
};

/** A short description of what went wrong, for log details. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
