import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';
import { errorResponse } from './handler';

const { idempotencyKeys } = schema;
/** How long a stored answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A first request not heard of for this long died with its console: a retry takes over. */
export const IDEMPOTENCY_ABANDONED_MS = 60_000;
const HEARTBEAT_MS = 15_000;
/** Answers larger than this are not kept (a retry then runs again): storage stays bounded. */
export const MAX_STORED_ANSWER_BYTES = 4 * 1024 * 1024;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a POST at most once per `Idempotency-Key` (as Stripe's API does): the first request's
 * answer is stored and replayed to every retry with the same key (`Idempotent-Replayed: true`);
 * the same key on a different request is a 422; a retry while the first is still running is a 409
 * (retry shortly). Answers that mean "try again" (5xx, 409, 429) are not stored, so a retry
 * really retries. Without the header the request simply runs. `maxBytes` bounds the body read to
 * fingerprint it (the route's own limit).
 *
 * A first try whose console died leaves its record in flight; a retry takes it over after a
 * minute (a live one keeps its claim fresh). `run` gets an `Attempt` for that case: what the first
 * try made (`previous`, recorded by `remember` in the same transaction that made it), so the retry
 * can finish that instead of making a second one.
 */
export async function idempotent(
  req: Request,
  scope: OrgScope,
  run: (attempt: Attempt) => Promise<Response>,
  maxBytes = 64 * 1024,
): Promise<Response> {
  const key = req.headers.get('idempotency-key');
  if (key === null) return run(NO_ATTEMPT);
  if (!KEY_RE.test(key)) throw new AppError('bad_request', 'Idempotency-Key must be 1–255 visible ASCII characters');
  const body = await readCapped(req.clone(), maxBytes);
  const fingerprint = createHash('sha256').update(`${req.method} ${new URL(req.url).pathname}\n`).update(body).digest('hex');

  const claimed = await claim(scope.orgId, key, fingerprint);
  if (claimed instanceof Response) return claimed;
  const owner = claimed.owner;
  const db = await getDb();
  const mine = and(eq(idempotencyKeys.orgId, scope.orgId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.owner, owner));
  const attempt: Attempt = {
    previous: claimed.previous,
    remember: async (tx, resourceId) => {
      await tx.update(idempotencyKeys).set({ resourceId }).where(mine);
    },
  };
  // Still alive: a long exec keeps its claim, so a retry waits instead of running it again.
  const beat = setInterval(() => void db.update(idempotencyKeys).set({ lockedAt: sql`now()` }).where(mine).catch(() => {}), HEARTBEAT_MS);
  beat.unref();
  let res: Response;
  try {
    res = await run(attempt);
  } catch (err) {
    res = errorResponse(err);
  } finally {
    clearInterval(beat);
  }
  const text = res.status >= 500 || res.status === 409 || res.status === 429 ? null : await res.clone().text();
  if (text === null || Buffer.byteLength(text) > MAX_STORED_ANSWER_BYTES) await db.delete(idempotencyKeys).where(mine);
  else await db.update(idempotencyKeys).set({ state: 'done', status: res.status, body: text }).where(mine);
  return res;
}

/** Reads a request body, refusing (413) past `max` bytes before buffering more. */
async function readCapped(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > max) throw new AppError('payload_too_large', `Request body is larger than ${max} bytes`);
  const parts: Buffer[] = [];
  let total = 0;
  const reader = req.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      void reader.cancel().catch(() => {}); // not awaited: a tee branch settles only when both are cancelled
      throw new AppError('payload_too_large', `Request body is larger than ${max} bytes`);
    }
    parts.push(Buffer.from(value));
  }
  return Buffer.concat(parts);
}

export type Attempt = {
  /** What an abandoned first try of this request made (a sandbox id), or null. */
  previous: string | null;
  /** Records what this try makes, inside the transaction that makes it. */
  remember: (tx: DbOrTx, resourceId: string) => Promise<void>;
};
const NO_ATTEMPT: Attempt = { previous: null, remember: async () => {} };

/** This request runs (as `owner`, taking over `previous` from an abandoned first try), or the answer to give instead. */
async function claim(orgId: string, key: string, fingerprint: string): Promise<{ owner: string; previous: string | null } | Response> {
  const db = await getDb();
  const where = and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, key));
  const owner = randomBytes(12).toString('base64url');
  // Expired answers go first, so the key starts afresh.
  await db.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS))));
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ orgId, key, fingerprint, state: 'in_flight', owner })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length) return { owner, previous: null };

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
  // In flight: still running (it keeps lockedAt fresh), or its console died. Take over only then.
  const stale = new Date(Date.now() - IDEMPOTENCY_ABANDONED_MS);
  const taken = await db
    .update(idempotencyKeys)
    .set({ lockedAt: sql`now()`, owner })
    .where(and(where, eq(idempotencyKeys.state, 'in_flight'), lt(idempotencyKeys.lockedAt, stale)))
    .returning({ resourceId: idempotencyKeys.resourceId });
  if (taken.length) return { owner, previous: taken[0]!.resourceId };
  const res = errorResponse(new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry shortly'));
  res.headers.set('retry-after', '1');
  return res;
}

/** Drops answers past their 24 hours (the reconciler calls it now and then). */
export async function sweepIdempotencyKeys(): Promise<number> {
  const db = await getDb();
  const gone = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(Date.now() - IDEMPOTENCY_TTL_MS)))
    .returning({ key: idempotencyKeys.key });
  return gone.length;
}
