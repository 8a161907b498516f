import { and, desc, eq, isNull, or } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { notFound } from '@/lib/errors';
import { deleteSandbox, sandboxAction } from '@/lib/sandboxes/lifecycle';
import type { SandboxView } from '@/lib/sandboxes/view';
import type { AdminSandboxesQuery } from '@/lib/schemas/admin';
import { afterKeyset, decodeCursor, encodeKeyset, microText, pageSize } from './cursor';
import { costOfSandboxes } from './sandbox-cost';

const { sandboxes, orgs } = schema;

export type AdminSandboxView = {
  id: string;
  state: string;
  reason: string | null;
  org: { id: string; slug: string; name: string };
  runnerId: string;
  cpu: number;
  memoryMb: number;
  template: string;
  createdAt: string;
  costMicros: number;
};

/** Every org's live sandboxes, newest first, by state, org (id or URL name) and runner. Served from the database alone. */
export async function listSandboxesForAdmin(q: AdminSandboxesQuery): Promise<{ sandboxes: AdminSandboxView[]; nextCursor: string | null }> {
  const limit = pageSize(q.limit, 25);
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const db = await getDb();
  const rows = await db
    .select({ s: sandboxes, org: { id: orgs.id, slug: orgs.slug, name: orgs.name }, at: microText(sandboxes.createdAt) })
    .from(sandboxes)
    .innerJoin(orgs, eq(orgs.id, sandboxes.orgId))
    .where(
      and(
        isNull(sandboxes.deletedAt),
        q.state ? eq(sandboxes.state, q.state) : undefined,
        q.org ? or(eq(orgs.id, q.org), eq(orgs.slug, q.org)) : undefined,
        q.runner ? eq(sandboxes.runnerId, q.runner) : undefined,
        cursor?.kind === 'keyset' ? afterKeyset(sandboxes.createdAt, sandboxes.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(sandboxes.createdAt), desc(sandboxes.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const cost = await costOfSandboxes(page.map((r) => r.s.id));
  const last = page.at(-1);
  return {
    sandboxes: page.map(({ s, org }) => ({
      id: s.id,
      state: s.state,
      reason: s.reason,
      org,
      runnerId: s.runnerId,
      cpu: s.cpu,
      memoryMb: s.memoryMb,
      template: s.template,
      createdAt: s.createdAt.toISOString(),
      costMicros: cost.get(s.id) ?? 0,
    })),
    nextCursor: rows.length > limit && last ? encodeKeyset(last.at, last.s.id) : null,
  };
}

/**
 * The org scope a platform admin acts in on one of its sandboxes: the same services the org's
 * members use (state checks, the runner call, the row, the audit event), recorded in the org's
 * audit log under the admin's name, marked as a platform admin.
 */
async function adminScopeFor(admin: UserScope, sandboxId: string): Promise<OrgScope> {
  if (!/^[a-z0-9]{3,40}$/.test(sandboxId)) throw notFound('Sandbox');
  const db = await getDb();
  const [row] = await db
    .select({ orgId: orgs.id, orgSlug: orgs.slug })
    .from(sandboxes)
    .innerJoin(orgs, eq(orgs.id, sandboxes.orgId))
    .where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.deletedAt)));
  if (!row) throw notFound('Sandbox');
  return {
    ...row,
    role: 'owner',
    actor: { type: 'user', userId: admin.userId, label: `${admin.email} (platform admin)`, isPlatformAdmin: true },
  };
}

export async function stopSandboxAsAdmin(admin: UserScope, id: string): Promise<SandboxView> {
  return sandboxAction(await adminScopeFor(admin, id), id, 'stop');
}

export async function deleteSandboxAsAdmin(admin: UserScope, id: string): Promise<void> {
  await deleteSandbox(await adminScopeFor(admin, id), id);
}
