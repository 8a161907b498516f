/**
 * Typed application errors. Services throw these; route handlers turn them into
 * `{ error: { code, message } }` with the matching status (see `errorResponse`).
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'payment_required'
  | 'spend_limit_reached'
  | 'forbidden'
  | 'org_suspended'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'idempotency_key_reused'
  | 'payload_too_large'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'client_closed_request'
  | 'runner_unavailable'
  | 'runner_timeout'
  | 'db_unavailable'
  | 'storage_full'
  | 'bad_gateway'
  | 'stripe_not_configured'
  | 'internal';

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  // No credit left and no way to pay (lib/billing/standing.ts); the spend limit the org set.
  payment_required: 402,
  spend_limit_reached: 402,
  forbidden: 403,
  org_suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  rate_limited: 429,
  quota_exceeded: 429,
  // nginx's code for "the client went away first": nobody reads it, but it keeps such requests
  // out of the 5xx counts and the error log.
  client_closed_request: 499,
  runner_unavailable: 503,
  runner_timeout: 504,
  db_unavailable: 503,
  storage_full: 507,
  bad_gateway: 502,
  // Payments are off (local mode) or half set up: the message names the variables to set.
  stripe_not_configured: 409,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Only to keep another service's status (a runner's 422) where no code of ours has it. */
    status?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = status ?? ERROR_STATUS[code];
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You do not have permission to do this') => new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);
export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('bad_request', message, details);

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_STATUS, code);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
