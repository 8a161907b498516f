/**
 * Typed errors. Every API error is `{error: {code, message, details?}}`; the class says what a
 * caller can do about it (retry later, raise a limit, look elsewhere) without parsing messages.
 */
export type ErrorBody = { code: string; message: string; details?: Record<string, unknown> };

export class WarrenError extends Error {
  override name = 'WarrenError';
  constructor(
    message: string,
    /** HTTP status, or 0 when no answer came (network, abort, client-side deadline). */
    readonly status: number,
    /** The API's error code (`not_found`, `quota_exceeded`, …), or the SDK's own. */
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class AuthenticationError extends WarrenError {
  override name = 'AuthenticationError';
}
/** The key's role cannot do this, or the org is suspended (`code: org_suspended`). */
export class PermissionError extends WarrenError {
  override name = 'PermissionError';
}
/** Unknown (or another org's) sandbox, snapshot, file or process. */
export class NotFoundError extends WarrenError {
  override name = 'NotFoundError';
}
/** Wrong state (e.g. exec in a stopped sandbox), a taken name, or a request still being processed. */
export class ConflictError extends WarrenError {
  override name = 'ConflictError';
}
/** Bad input: the message names the field. */
export class ValidationError extends WarrenError {
  override name = 'ValidationError';
}
/** No credit and no payment method, or the spend limit reached. */
export class PaymentRequiredError extends WarrenError {
  override name = 'PaymentRequiredError';
}

/** A plan or org limit: `limit` names it, `max` is the ceiling, `current` what is in use. */
export class QuotaError extends WarrenError {
  override name = 'QuotaError';
  get limit(): string | undefined {
    return this.details?.limit as string | undefined;
  }
  get max(): number | undefined {
    return this.details?.max as number | undefined;
  }
  get current(): number | undefined {
    return this.details?.current as number | undefined;
  }
}

/** Too many requests for the key; `retryAfterSec` is the server's Retry-After. */
export class RateLimitError extends WarrenError {
  override name = 'RateLimitError';
  constructor(
    message: string,
    status: number,
    code: string,
    details: Record<string, unknown> | undefined,
    readonly retryAfterSec: number,
  ) {
    super(message, status, code, details);
  }
}

/** No answer in time: the SDK's own deadline, a command's timeout, or the server's 504. */
export class TimeoutError extends WarrenError {
  override name = 'TimeoutError';
}

/** The service is unreachable or unavailable (network error, 502/503). */
export class UnavailableError extends WarrenError {
  override name = 'UnavailableError';
}

export function errorFor(status: number, body: ErrorBody | undefined, retryAfterSec: number | null): WarrenError {
  const code = body?.code ?? `http_${status}`;
  const message = body?.message ?? `HTTP ${status}`;
  const details = body?.details;
  if (status === 401) return new AuthenticationError(message, status, code, details);
  if (status === 403) return new PermissionError(message, status, code, details);
  if (status === 404) return new NotFoundError(message, status, code, details);
  if (status === 409) return new ConflictError(message, status, code, details);
  if (status === 402) return new PaymentRequiredError(message, status, code, details);
  if (status === 400 || status === 413 || status === 422) return new ValidationError(message, status, code, details);
  if (status === 429 && code === 'quota_exceeded') return new QuotaError(message, status, code, details);
  if (status === 429) return new RateLimitError(message, status, code, details, retryAfterSec ?? 1);
  if (status === 504) return new TimeoutError(message, status, code, details);
  if (status === 502 || status === 503) return new UnavailableError(message, status, code, details);
  return new WarrenError(message, status, code, details);
}
