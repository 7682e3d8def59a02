// Turns whatever was thrown or refused into the protocol's error value, so every boundary answers
// {code, message}.
import { isErrorCode, SwitchboardError, type ErrorBody, type ErrorCode } from '@switchboard/protocol';

export function asSwitchboardError(err: unknown): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  return new SwitchboardError(
    'internal',
    err instanceof Error ? err.message : 'something went wrong in the session',
  );
}

/** An error value received from elsewhere (server, port), with an unknown code mapped to `internal`. */
export function fromErrorBody(body: {
  code: unknown;
  message: unknown;
  retryAfter?: unknown;
  issues?: unknown;
}): SwitchboardError {
  const code: ErrorCode = isErrorCode(body.code) ? body.code : 'internal';
  const message = typeof body.message === 'string' ? body.message : 'unknown error';
  const extra: Pick<ErrorBody, 'retryAfter' | 'issues'> = {};
  if (typeof body.retryAfter === 'number') extra.retryAfter = body.retryAfter;
  if (Array.isArray(body.issues)) extra.issues = body.issues as ErrorBody['issues'];
  return new SwitchboardError(code, message, extra);
}

/** Codes that will fail the same way however often the request is repeated. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'bad_request',
  'validation_failed',
  'invalid_json',
  'invalid_utf8',
  'unknown_event',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
]);

export function isRetryable(code: ErrorCode): boolean {
  return !PERMANENT.has(code);
}

/** Zod issues in the protocol's `{path, message}` form. */
export function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * A `validation_failed` error for input a schema refused: names the first bad field (or `subject`
 * when the whole input is wrong) and carries every issue.
 */
export function validationError(
  what: string,
  subject: string,
  error: Parameters<typeof issuesOf>[0],
): SwitchboardError {
  const issues = issuesOf(error);
  return new SwitchboardError(
    'validation_failed',
    `${what}: ${issues[0]?.path || subject}: ${issues[0]?.message}`,
    { issues },
  );
}
