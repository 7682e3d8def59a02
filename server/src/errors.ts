// Turns anything thrown into a SwitchboardError, so every transport answers with {code, message}.
import { SwitchboardError } from '@switchboard/protocol';
import { ZodError, type z } from 'zod';
import { isDatabaseUnavailable } from './store/dialect.ts';

/** Seconds a client waits before trying again while the database is away. */
export const DATABASE_RETRY_AFTER = 2;

export function toSwitchboardError(err: unknown): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return new SwitchboardError(
      'validation_failed',
      first ? `${first.path || 'payload'}: ${first.message}` : 'invalid payload',
      { issues },
    );
  }
  if (isDatabaseUnavailable(err))
    return new SwitchboardError('unavailable', 'the database is not answering: try again in a few seconds', {
      retryAfter: DATABASE_RETRY_AFTER,
    });
  return new SwitchboardError('internal', 'something went wrong on the server; it has been logged');
}

/** Parses untrusted input with a schema, failing with `validation_failed`. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw toSwitchboardError(result.error);
  return result.data;
}
