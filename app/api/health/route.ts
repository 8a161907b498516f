import { sql } from 'drizzle-orm';
import { getDb, getDbHandle } from '@/db';
import { runnerStatus } from '@/lib/runner-status';
import { listRunners } from '@/lib/runners/registry';
import { reconcilerStatus } from '@/lib/sandboxes/reconcile';

export const dynamic = 'force-dynamic';

/**
 * The console's health, as an operator needs it on a bad day: `ok` is about the console and its
 * database (503 when the database does not answer); `runner` is the local runner's live status
 * (with why it is unavailable); `runners` lists every registered runner with its last heartbeat;
 * `reconciler` says when the last reconcile pass ran and whether it failed.
 */
export async function GET() {
  const started = performance.now();
  let kind: string;
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    kind = (await getDbHandle()).kind;
  } catch {
    return Response.json({ ok: false, error: { code: 'db_unavailable', message: 'The database does not answer' } }, { status: 503 });
  }
  const database = { ok: true, kind, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  const runner = runnerStatus();
  const runners = (await listRunners().catch(() => [])).map((r) => ({
    id: r.id,
    name: r.name,
    state: r.state,
    heartbeatAt: r.heartbeatAt?.toISOString() ?? null,
  }));
  return Response.json({
    ok: true,
    database,
    runner: runner.state === 'ready' ? { state: 'ready' } : runner,
    runners,
    reconciler: reconcilerStatus(),
  });
}
