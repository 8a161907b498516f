import { sql } from 'drizzle-orm';
import { type Db, type DbOrTx, getDb } from '@/db';

export type TokenTake = { allowed: boolean; tokens: number; retryAfterSec: number };

const rowsOf = (res: unknown) => (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;

/**
 * Takes up to `want` tokens from an API key's token bucket: `perMinute` tokens, refilled
 * continuously at `perMinute` per minute, so a key may burst a minute's worth and then keeps to
 * the rate. The bucket is a row in Postgres and the refill, the check and the take are one upsert
 * (the row lock orders concurrent requests), so every console sharing the database counts the same
 * tokens and two racing requests can never both take the last one. `now()` is the statement's
 * time. Takes whole tokens only: as many as the bucket holds, up to `want`, or none.
 */
export async function takeApiTokens(apiKeyId: string, perMinute: number, want = 1, dbx?: Db): Promise<TokenTake & { taken: number }> {
  const db = dbx ?? (await getDb());
  const cap = Math.max(1, Math.floor(perMinute));
  const n = Math.max(1, Math.min(cap, Math.floor(want)));
  const refill = sql`least(${cap}::float8, api_rate_buckets.tokens + greatest(0, extract(epoch from (now() - api_rate_buckets.updated_at))) * ${cap}::float8 / 60)`;
  const take = sql`(case when ${refill} >= 1 then least(${n}::float8, floor(${refill})) else 0 end)`;
  // One statement, and it commits without waiting for the disk: the buckets' table is unlogged
  // (drizzle/0025: a quiet key pays this write on each request, and an fsync'd commit costs ~7 ms
  // on this VM's disk). A Postgres crash empties it, so each key may get one more minute's burst.
  const res = await db.execute(sql`
    insert into api_rate_buckets (api_key_id, tokens, allowed, taken, updated_at) values (${apiKeyId}, ${cap - n}::float8, true, ${n}, now())
    on conflict (api_key_id) do update set
      tokens = ${refill} - ${take},
      allowed = ${refill} >= 1,
      taken = ${take}::int,
      updated_at = greatest(now(), api_rate_buckets.updated_at)
    returning tokens, allowed, taken`);
  const row = rowsOf(res)[0] ?? {};
  const tokens = Number(row.tokens ?? 0);
  const allowed = row.allowed === true || row.allowed === 't';
  const taken = allowed ? Math.max(1, Number(row.taken ?? 1)) : 0;
  // The time until one whole token is back, rounded up to whole seconds (Retry-After's unit).
  const retryAfterSec = allowed ? 0 : Math.max(1, Math.ceil(((1 - tokens) * 60) / cap));
  return { allowed, tokens, retryAfterSec, taken };
}

/** Requests each of the org's keys made in the last minute, as their buckets tell (quotas view). */
export async function busiestKeyLastMinute(orgId: string, perMinute: number, dbx?: DbOrTx): Promise<number> {
  const db = dbx ?? (await getDb());
  const cap = Math.max(1, Math.floor(perMinute));
  const res = await db.execute(sql`
    select coalesce(min(least(${cap}::float8, b.tokens + greatest(0, extract(epoch from (now() - b.updated_at))) * ${cap}::float8 / 60)), ${cap}::float8) as tokens
    from api_rate_buckets b join api_keys k on k.id = b.api_key_id
    where k.org_id = ${orgId} and k.revoked_at is null`);
  const tokens = Number(rowsOf(res)[0]?.tokens ?? cap);
  return Math.max(0, Math.round(cap - tokens));
}
