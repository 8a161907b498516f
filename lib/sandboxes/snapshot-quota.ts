import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';

const { snapshots, quotaReservations } = schema;
/** A reservation older than this belongs to a console that died mid-snapshot (the runner's
 * snapshot deadline is 20 × 30 s): it no longer holds room. */
export const RESERVATION_TTL_MS = 15 * 60_000;

/** Bytes the org's snapshots take, plus the room held by snapshots being taken right now. */
export async function snapshotBytesUsed(db: DbOrTx, orgId: string, now = new Date()): Promise<{ stored: number; reserved: number }> {
  const [stored] = await db
    .select({ n: sql<string>`coalesce(sum(${snapshots.sizeBytes}), 0)` })
    .from(snapshots)
    .where(and(eq(snapshots.orgId, orgId), isNull(snapshots.deletedAt)));
  const [reserved] = await db
    .select({ n: sql<string>`coalesce(sum(${quotaReservations.amount}), 0)` })
    .from(quotaReservations)
    .where(
      and(
        eq(quotaReservations.orgId, orgId),
        eq(quotaReservations.kind, 'snapshot_bytes'),
        gt(quotaReservations.createdAt, new Date(now.getTime() - RESERVATION_TTL_MS)),
      ),
    );
  return { stored: Number(stored?.n ?? 0), reserved: Number(reserved?.n ?? 0) };
}

/**
 * Holds room for a snapshot about to be taken. Its size is known only once the runner has copied
 * it, so it is estimated by the sandbox's disk use now (what the copy takes, give or take
 * metadata), at least one byte. Under a per-org lock: the stored bytes, the other snapshots in
 * flight and this one must fit the limit, so two snapshots racing for the last room cannot both
 * pass. Returns the reservation's id; release it when the snapshot's row lands or the call fails.
 */
export async function reserveSnapshotBytes(orgId: string, maxBytes: number, estimate: number): Promise<string> {
  const db = await getDb();
  const want = Math.max(1, Math.ceil(estimate));
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`warren:snapshot-quota:${orgId}`}, 0))`);
    const used = await snapshotBytesUsed(tx, orgId);
    const current = used.stored + used.reserved;
    if (current + want > maxBytes) {
      throw new AppError(
        'quota_exceeded',
        `Your org's snapshots take ${current} of its ${maxBytes} bytes; this sandbox's ${want} bytes would pass the limit. Delete a snapshot first`,
        { limit: 'maxSnapshotBytes', max: maxBytes, current, requested: want },
      );
    }
    const [r] = await tx.insert(quotaReservations).values({ orgId, kind: 'snapshot_bytes', amount: want }).returning({ id: quotaReservations.id });
    return r!.id;
  });
}

export async function releaseReservation(id: string, dbx?: DbOrTx): Promise<void> {
  const db = dbx ?? (await getDb());
  await db.delete(quotaReservations).where(eq(quotaReservations.id, id));
}
