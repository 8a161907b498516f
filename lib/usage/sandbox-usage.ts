import { and, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { notFound } from '@/lib/errors';
import { orgUsage } from './queries';

const { sandboxes } = schema;

/** A sandbox's usage since its creation, by kind and by day: deleted sandboxes included. */
export async function sandboxUsage(scope: OrgScope, id: string) {
  if (!/^[a-z0-9]{3,40}$/.test(id)) throw notFound('Sandbox');
  const db = await getDb();
  const [row] = await db
    .select({ id: sandboxes.id, createdAt: sandboxes.createdAt, deletedAt: sandboxes.deletedAt })
    .from(sandboxes)
    .where(and(eq(sandboxes.id, id), eq(sandboxes.orgId, scope.orgId)));
  if (!row) throw notFound('Sandbox');
  const now = new Date();
  const hour = 3_600_000;
  const from = new Date(Math.floor(row.createdAt.getTime() / hour) * hour);
  const to = new Date(Math.ceil((now.getTime() + 1) / hour) * hour);
  const summary = await orgUsage(scope, { from, to, granularity: 'day', groupBy: 'kind' }, { subject: id, now });
  return { sandboxId: id, deleted: row.deletedAt !== null, ...summary };
}
