// Where the session core reports what it dropped or could not do (an invalid server event, a
// storage write that failed). The app decides where that goes — a pino logger in the desktop
// utility process, stderr in the CLI; left out, nothing is reported.

export interface Logger {
  /** Something was dropped or will be retried; the session carries on. */
  warn(message: string, details?: Record<string, unknown>): void;
  /** Something failed that a person may have to look into (e.g. the disk refused a write). */
  error(message: string, details?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { warn: () => {}, error: () => {} };

/** A short description of what went wrong, for log details. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
