import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';
import { errorResponse } from './handler';

const { idempotencyKeys } = schema;
/** How long a stored answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A first request still "in flight" after this long died with its console: a retry takes over. */
export const IDEMPOTENCY_ABANDONED_MS = 60_000;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a POST at most once per `Idempotency-Key` (as Stripe's API does): the first request's
 * answer is stored and replayed to every retry with the same key (`Idempotent-Replayed: true`);
 * the same key on a different request is a 422; a retry while the first is still running is a 409
 * (retry shortly). Answers that mean "try again" (5xx, 409, 429) are not stored, so a retry
 * really retries. Without the header the request simply runs.
 */
export async function idempotent(req: Request, scope: OrgScope, run: () => Promise<Response>): Promise<Response> {
  const key = req.headers.get('idempotency-key');
  if (key === null) return run();
  if (!KEY_RE.test(key)) throw new AppError('bad_request', 'Idempotency-Key must be 1–255 visible ASCII characters');
  const url = new URL(req.url);
  const fingerprint = createHash('sha256')
    .update(`${req.method} ${url.pathname}\n`)
    .update(await req.clone().text())
    .digest('hex');

  const claimed = await claim(scope.orgId, key, fingerprint);
  if (claimed !== true) return claimed;
  let res: Response;
  try {
    res = await run();
  } catch (err) {
    res = errorResponse(err);
  }
  const db = await getDb();
  const where = and(eq(idempotencyKeys.orgId, scope.orgId), eq(idempotencyKeys.key, key));
  if (res.status >= 500 || res.status === 409 || res.status === 429) {
    await db.delete(idempotencyKeys).where(where);
  } else {
    await db.update(idempotencyKeys).set({ state: 'done', status: res.status, body: await res.clone().text() }).where(where);
  }
  return res;
}

/** true: this request runs; otherwise the answer to give instead. */
async function claim(orgId: string, key: string, fingerprint: string): Promise<true | Response> {
  const db = await getDb();
  const where = and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, key));
  // Expired answers go first, so the key starts afresh.
  await db.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS))));
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ orgId, key, fingerprint, state: 'in_flight' })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length) return true;

  const [row] = await db.select().from(idempotencyKeys).where(where);
  if (!row) return claim(orgId, key, fingerprint); // removed meanwhile (its first run failed): run
  if (row.fingerprint !== fingerprint) {
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
  }
  if (row.state === 'done') {
    return new Response(row.body, {
      status: row.status ?? 200,
      headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
    });
  }
  // In flight: still running, or its console died. Take it over only once it is clearly abandoned.
  const stale = new Date(Date.now() - IDEMPOTENCY_ABANDONED_MS);
  const taken = await db
    .update(idempotencyKeys)
    .set({ lockedAt: sql`now()` })
    .where(and(where, eq(idempotencyKeys.state, 'in_flight'), lt(idempotencyKeys.lockedAt, stale)))
    .returning({ key: idempotencyKeys.key });
  if (taken.length) return true;
  const err = new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry shortly');
  const res = errorResponse(err);
  res.headers.set('retry-after', '1');
  return res;
}
