import { sql } from 'drizzle-orm';
import { getDb } from '@/db';
import { runnerStatus } from '@/lib/runner-status';

export const dynamic = 'force-dynamic';

/** `ok` is about the console and its database; `runner` says whether sandboxes can run. */
export async function GET() {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
  } catch {
    return Response.json({ ok: false, error: { code: 'db_unavailable', message: 'The database does not answer' } }, { status: 503 });
  }
  const runner = runnerStatus();
  return Response.json({ ok: true, runner: runner.state === 'ready' ? { state: 'ready' } : runner });
}
