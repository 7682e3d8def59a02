// Every error that crosses a boundary is a value with one of these codes and a message a person can act on.

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

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Seconds until a retry may succeed (rate limits). */
  retryAfter?: number;
  /** Which fields were wrong, for validation errors. */
  issues?: { path: string; message: string }[];
  /** Machine-readable facts about the error, e.g. the protocol range for `unsupported_version`. */
  details?: Record<string, string | number>;
}

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
