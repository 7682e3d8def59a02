// Every error that crosses a boundary is a value with one of these codes and a message a person can act on.
import { z } from 'zod';

export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  invalid_utf8: 400,
  unknown_event: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_version: 426,
  rate_limited: 429,
  too_many_connections: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const ErrorBody = z.object({
  code: z.enum(ERROR_CODE_NAMES),
  message: z.string(),
  /** Seconds until a retry may succeed (rate limits). */
  retryAfter: z.number().optional(),
  /** Which fields were wrong, for validation errors. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** Machine-readable facts about the error, e.g. the protocol range for `unsupported_version`. */
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly retryAfter: number | undefined;
  readonly issues: ErrorBody['issues'];
  readonly details: ErrorBody['details'];

  constructor(
    code: ErrorCode,
    message: string,
    extra: Pick<ErrorBody, 'retryAfter' | 'issues' | 'details'> = {},
  ) {
    super(message);
    this.name = 'SwitchboardError';
    this.code = code;
    this.retryAfter = extra.retryAfter;
    this.issues = extra.issues;
    this.details = extra.details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.retryAfter !== undefined) body.retryAfter = this.retryAfter;
    if (this.issues) body.issues = this.issues;
    if (this.details) body.details = this.details;
    return body;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
