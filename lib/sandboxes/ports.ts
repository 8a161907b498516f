import { and, asc, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError, notFound } from '@/lib/errors';
import { orgLimits } from './limits';
import { ownedSandbox } from './store';

const { sandboxPorts, sandboxes } = schema;

/** http://{port}-{sandboxId}.{WARREN_PREVIEW_DOMAIN}:{PORT}: served by server.ts's preview proxy. */
export function previewUrl(sandboxId: string, port: number): string {
  const e = env();
  const publicPort = e.WARREN_PUBLIC_URL ? new URL(e.WARREN_PUBLIC_URL).port : String(e.PORT);
  return `http://${port}-${sandboxId}.${e.WARREN_PREVIEW_DOMAIN}${publicPort && publicPort !== '80' ? `:${publicPort}` : ''}`;
}

type PortRow = typeof sandboxPorts.$inferSelect;
const view = (p: PortRow) => ({ port: p.port, public: p.public, url: previewUrl(p.sandboxId, p.port), createdAt: p.createdAt.toISOString() });

/**
 * Records the port as exposed (idempotent; a repeat updates `public`). The sandbox need not run
 * yet. At most the org's maxPortsPerSandbox per sandbox (429): the count and the insert happen
 * under a per-sandbox lock, so concurrent exposes cannot pass the cap together.
 */
export async function exposePort(scope: OrgScope, sandboxId: string, port: number, isPublic = false) {
  await ownedSandbox(scope, sandboxId);
  const { maxPortsPerSandbox: max } = await orgLimits(scope.orgId);
  const db = await getDb();
  const row = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`warren:sandbox-ports:${sandboxId}`}, 0))`);
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(sandboxPorts)
      .where(and(eq(sandboxPorts.sandboxId, sandboxId), ne(sandboxPorts.port, port)));
    if (n >= max) {
      throw new AppError(
        'quota_exceeded',
        `This sandbox already exposes ${n} ports, your org's limit of ${max} per sandbox; unexpose one first`,
        { limit: 'maxPortsPerSandbox', max, current: n },
      );
    }
    const [inserted] = await tx
      .insert(sandboxPorts)
      .values({ sandboxId, orgId: scope.orgId, port, public: isPublic })
      .onConflictDoUpdate({ target: [sandboxPorts.sandboxId, sandboxPorts.port], set: { public: isPublic } })
      .returning();
    return inserted;
  });
  await recordAudit(scope, 'sandbox.port.expose', { type: 'sandbox', id: sandboxId }, { port, public: isPublic });
  return view(row!);
}

export async function listPorts(scope: OrgScope, sandboxId: string) {
  await ownedSandbox(scope, sandboxId);
  const db = await getDb();
  const rows = await db
    .select()
    .from(sandboxPorts)
    .where(and(eq(sandboxPorts.sandboxId, sandboxId), eq(sandboxPorts.orgId, scope.orgId)))
    .orderBy(asc(sandboxPorts.port));
  return rows.map(view);
}

export async function updatePort(scope: OrgScope, sandboxId: string, port: number, isPublic: boolean) {
  await ownedSandbox(scope, sandboxId);
  const db = await getDb();
  const [row] = await db
    .update(sandboxPorts)
    .set({ public: isPublic })
    .where(and(eq(sandboxPorts.sandboxId, sandboxId), eq(sandboxPorts.orgId, scope.orgId), eq(sandboxPorts.port, port)))
    .returning();
  if (!row) throw notFound('Port');
  await recordAudit(scope, 'sandbox.port.update', { type: 'sandbox', id: sandboxId }, { port, public: isPublic });
  return view(row);
}

export async function unexposePort(scope: OrgScope, sandboxId: string, port: number) {
  await ownedSandbox(scope, sandboxId);
  const db = await getDb();
  const gone = await db
    .delete(sandboxPorts)
    .where(and(eq(sandboxPorts.sandboxId, sandboxId), eq(sandboxPorts.orgId, scope.orgId), eq(sandboxPorts.port, port)))
    .returning();
  if (gone.length === 0) throw notFound('Port');
  await recordAudit(scope, 'sandbox.port.unexpose', { type: 'sandbox', id: sandboxId }, { port });
}

/**
 * For the preview proxy (server.ts): is this port of this sandbox exposed, publicly or not, and
 * which org and runner own it. Null when not exposed or the sandbox is gone.
 */
export async function findPreviewTarget(sandboxId: string, port: number) {
  const db = await getDb();
  const [row] = await db
    .select({ orgId: sandboxes.orgId, runnerId: sandboxes.runnerId, state: sandboxes.state, public: sandboxPorts.public })
    .from(sandboxPorts)
    .innerJoin(sandboxes, eq(sandboxes.id, sandboxPorts.sandboxId))
    .where(and(eq(sandboxPorts.sandboxId, sandboxId), eq(sandboxPorts.port, port), isNull(sandboxes.deletedAt)));
  return row ?? null;
}
