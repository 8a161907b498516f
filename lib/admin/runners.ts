import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { RunnerCapacity } from '@/db/schema/runners';
import { actorFromUser, recordAudit } from '@/lib/audit/audit';
import type { UserScope } from '@/lib/auth/scope';
import { conflict, notFound } from '@/lib/errors';

const { runners, sandboxes } = schema;

/** A heartbeat older than this reads as stale on the runners page (the reconciler asks every 10 s). */
export const STALE_HEARTBEAT_MS = 60_000;

export type AdminRunnerView = {
  id: string;
  name: string;
  url: string;
  state: 'ready' | 'unreachable' | 'draining';
  capacity: RunnerCapacity | null;
  heartbeatAt: string | null;
  /** Live sandboxes the console has placed there, by state (its own rows, not the runner's word). */
  sandboxes: Record<string, number>;
  createdAt: string;
};

/** Every registered runner with its last reported capacity and heartbeat; never its token. */
export async function listRunnersForAdmin(): Promise<AdminRunnerView[]> {
  const db = await getDb();
  const rows = await db.select().from(runners).orderBy(runners.id);
  const counts = await db
    .select({ runnerId: sandboxes.runnerId, state: sandboxes.state, n: sql<number>`count(*)` })
    .from(sandboxes)
    .where(isNull(sandboxes.deletedAt))
    .groupBy(sandboxes.runnerId, sandboxes.state);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    url: r.url,
    state: r.state,
    capacity: r.capacity ?? null,
    heartbeatAt: r.heartbeatAt?.toISOString() ?? null,
    sandboxes: Object.fromEntries(counts.filter((c) => c.runnerId === r.id).map((c) => [c.state, Number(c.n)])),
    createdAt: r.createdAt.toISOString(),
  }));
}

async function runnerRow(id: string) {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) throw notFound('Runner');
  const db = await getDb();
  const [row] = await db.select().from(runners).where(eq(runners.id, id));
  if (!row) throw notFound('Runner');
  return row;
}

/**
 * Drain: placement stops choosing the runner for new sandboxes (lib/runners/placement.ts skips
 * `draining`, and forks of its snapshots are refused), while what already runs there keeps
 * running and answering: stop, start, exec and delete still go to it. Audited.
 */
export async function drainRunner(admin: UserScope, id: string): Promise<AdminRunnerView> {
  await runnerRow(id);
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(runners)
      .set({ state: 'draining' })
      .where(and(eq(runners.id, id), sql`${runners.state} <> 'draining'`))
      .returning({ id: runners.id });
    if (!row) throw conflict('This runner is already draining');
    await recordAudit(actorFromUser(admin, null), 'runner.drain', { type: 'runner', id }, null, tx);
  });
  return (await listRunnersForAdmin()).find((r) => r.id === id)!;
}

/**
 * Undrain: back to placement. `ready` if it answered the reconciler recently, otherwise
 * `unreachable` until its next heartbeat says otherwise (placement tries ready runners first).
 */
export async function undrainRunner(admin: UserScope, id: string): Promise<AdminRunnerView> {
  const before = await runnerRow(id);
  const fresh = before.heartbeatAt && Date.now() - before.heartbeatAt.getTime() < STALE_HEARTBEAT_MS;
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(runners)
      .set({ state: fresh ? 'ready' : 'unreachable' })
      .where(and(eq(runners.id, id), eq(runners.state, 'draining')))
      .returning({ id: runners.id });
    if (!row) throw conflict('This runner is not draining');
    await recordAudit(actorFromUser(admin, null), 'runner.undrain', { type: 'runner', id }, null, tx);
  });
  return (await listRunnersForAdmin()).find((r) => r.id === id)!;
}
