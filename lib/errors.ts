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
  | 'two_factor_required'
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
  | 'secret_unreadable'
  | 'image_not_found'
  | 'image_invalid'
  | 'image_pull_failed'
  | 'registry_auth_failed'
  | 'registry_unreachable'
  | 'cancelled'
  | 'ready_check_failed'
  | 'isolation_unavailable'
  | 'isolation_required'
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
  // The org's owner requires two-factor sign-in and this member has not set it up.
  two_factor_required: 403,
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
  // A secret that does not decrypt (wrong or missing key version, altered row): fail closed.
  secret_unreadable: 500,
  // Pulling an image (runner/images): a missing tag is a 404, a registry that refused, a layer
  // Warren refuses or a registry down are the caller's to fix (4xx), never a Warren fault.
  image_not_found: 404,
  image_invalid: 422,
  image_pull_failed: 422,
  registry_auth_failed: 422,
  registry_unreachable: 424,
  // A template build stopped by a cancel (on the build, never a request's answer but the pull's).
  cancelled: 409,
  // A template's ready command did not succeed within its timeout: the sandbox is deleted.
  ready_check_failed: 422,
  // `isolation: 'gvisor'` asked of a runner whose gVisor probe failed (or a feature gVisor lacks).
  isolation_unavailable: 400,
  // `isolation: 'container'` (asked, or a template's) in an org whose plan requires gVisor.
  isolation_required: 403,
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
