/**
 * Whether an error means the database cannot be reached (down, restarting, refusing connections),
 * as opposed to a query that failed. drizzle wraps the driver's error (postgres.js), so the
 * `cause` chain is followed. Codes: socket errors, postgres.js's own connection codes, and
 * SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart).
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

export function isDbUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return true;
  }
  return false;
}

/** Postgres's unique violation (23505), optionally on one index; drizzle wraps the driver's error. */
export function isUniqueViolation(err: unknown, index?: string): boolean {
  type PgError = { code?: string; constraint_name?: string; constraint?: string; message?: string };
  const e = err as PgError & { cause?: PgError };
  const c = e.cause ?? e;
  return c.code === '23505' && (!index || `${c.constraint_name ?? ''} ${c.constraint ?? ''} ${c.message ?? ''}`.includes(index));
}
