// Turns anything thrown into a SwitchboardError, so every transport answers with {code, message}.
import { SwitchboardError } from '@switchboard/protocol';
import { ZodError, type z } from 'zod';
import { isDatabaseUnavailable } from './store/dialect.ts';

/** Seconds a client waits before trying again while the database is away. */
export const DATABASE_RETRY_AFTER = 2;

/** `what`: the name of the input as the caller knows it (a field, a URL part, a CLI argument). */
export function toSwitchboardError(err: unknown, what = 'payload'): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return new SwitchboardError(
      'validation_failed',
      first ? `${first.path || what}: ${first.message}` : `invalid ${what}`,
      { issues },
    );
  }
  if (isDatabaseUnavailable(err))
    return new SwitchboardError('unavailable', 'the database is not answering: try again in a few seconds', {
      retryAfter: DATABASE_RETRY_AFTER,
    });
  return new SwitchboardError('internal', 'something went wrong on the server; it has been logged');
}

/**
 * Parses untrusted input with a schema, failing with `validation_failed`; `what` names the input in
 * the message when the failure is in the input as a whole rather than in one of its fields.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw toSwitchboardError(result.error, what);
  return result.data;
}
