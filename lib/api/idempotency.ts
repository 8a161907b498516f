import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
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
 *
 * A first try whose console died leaves its record in flight; a retry takes it over after a
 * minute. `run` gets an `Attempt` for that case: what the first try made (`previous`, recorded by
 * `remember` in the same transaction that made it), so the retry can finish that instead of
 * making a second one.
 */
export async function idempotent(req: Request, scope: OrgScope, run: (attempt: Attempt) => Promise<Response>): Promise<Response> {
  const key = req.headers.get('idempotency-key');
  if (key === null) return run(NO_ATTEMPT);
  if (!KEY_RE.test(key)) throw new AppError('bad_request', 'Idempotency-Key must be 1–255 visible ASCII characters');
  const url = new URL(req.url);
  const fingerprint = createHash('sha256')
    .update(`${req.method} ${url.pathname}\n`)
    .update(await req.clone().text())
    .digest('hex');

  const claimed = await claim(scope.orgId, key, fingerprint);
  if (claimed instanceof Response) return claimed;
  const where = and(eq(idempotencyKeys.orgId, scope.orgId), eq(idempotencyKeys.key, key));
  const attempt: Attempt = {
    previous: claimed.previous,
    remember: async (tx, resourceId) => {
      await tx.update(idempotencyKeys).set({ resourceId }).where(where);
    },
  };
  let res: Response;
  try {
    res = await run(attempt);
  } catch (err) {
    res = errorResponse(err);
  }
  const db = await getDb();
  if (res.status >= 500 || res.status === 409 || res.status === 429) {
    await db.delete(idempotencyKeys).where(where);
  } else {
    await db.update(idempotencyKeys).set({ state: 'done', status: res.status, body: await res.clone().text() }).where(where);
  }
  return res;
}

export type Attempt = {
  /** What an abandoned first try of this request made (a sandbox id), or null. */
  previous: string | null;
  /** Records what this try makes, inside the transaction that makes it. */
  remember: (tx: DbOrTx, resourceId: string) => Promise<void>;
};
const NO_ATTEMPT: Attempt = { previous: null, remember: async () => {} };

/** This request runs (taking over `previous` from an abandoned first try); or the answer to give instead. */
async function claim(orgId: string, key: string, fingerprint: string): Promise<{ previous: string | null } | Response> {
  const db = await getDb();
  const where = and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, key));
  // Expired answers go first, so the key starts afresh.
  await db.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS))));
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ orgId, key, fingerprint, state: 'in_flight' })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length) return { previous: null };

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
    .returning({ resourceId: idempotencyKeys.resourceId });
  if (taken.length) return { previous: taken[0]!.resourceId };
  const err = new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry shortly');
  const res = errorResponse(err);
  res.headers.set('retry-after', '1');
  return res;
}
