import { and, asc, count, eq, inArray, ne } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { thenForgetApiKeys } from '@/lib/auth/api-key-cache';
import type { Role } from '@/lib/auth/permissions';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { type AuditActor, actorFromScope, actorFromUser, recordAudit } from '@/lib/audit/audit';
import { AppError, badRequest, conflict, notFound } from '@/lib/errors';
import { deleteOrgSandboxes } from '@/lib/sandboxes/org-cleanup';
import { displayName, slug as slugSchema } from '@/lib/schemas/common';
import { LIVE_STATUSES } from '@/lib/stripe/subscriptions';
import { retentionDays } from '@/lib/schemas/orgs';
import { createOrgRow, type OrgRow, slugTaken } from './create';
import { slugify } from './slug-rules';

const { orgs, memberships, stripeSubscriptions } = schema;

export type OrgView = { id: string; slug: string; name: string; personal: boolean; createdAt: string; stoppedRetentionDays: number | null };
export const toOrgView = (o: OrgRow): OrgView => ({
  id: o.id,
  slug: o.slug,
  name: o.name,
  personal: o.personal,
  createdAt: o.createdAt.toISOString(),
  stoppedRetentionDays: o.stoppedRetentionDays ?? null,
});

/** The orgs a person belongs to, with their role in each; personal org first, then by name. */
export async function listOrgsForUser(userId: string): Promise<Array<OrgView & { role: Role }>> {
  const db = await getDb();
  const rows = await db
    .select({ org: orgs, role: memberships.role })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(orgs.name), asc(orgs.slug));
  return rows
    .map((r) => ({ ...toOrgView(r.org), role: r.role }))
    .sort((a, b) => Number(b.personal) - Number(a.personal));
}

/** Any signed-in person may create an org; they become its owner. */
export async function createOrg(
  user: Pick<UserScope, 'userId' | 'email'>,
  input: { name: string; slug?: string },
  opts: { auditActor?: AuditActor } = {},
): Promise<OrgView> {
  const name = displayName().parse(input.name);
  const slug = input.slug === undefined ? undefined : slugSchema.parse(input.slug);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const org = await createOrgRow(tx, { name, slug, slugBase: slugify(name) });
    await tx.insert(memberships).values({ orgId: org.id, userId: user.userId, role: 'owner' });
    const actor = opts.auditActor ? { ...opts.auditActor, orgId: org.id } : actorFromUser(user, org.id);
    await recordAudit(actor, 'org.create', { type: 'org', id: org.id }, { slug: org.slug, name }, tx);
    return toOrgView(org);
  });
}

export async function getOrg(scope: OrgScope): Promise<OrgView> {
  const db = await getDb();
  const [org] = await db.select().from(orgs).where(eq(orgs.id, scope.orgId));
  if (!org) throw notFound('Organization');
  return toOrgView(org);
}

type OrgPatch = { name?: string; slug?: string; stoppedRetentionDays?: number | null };

/** Name, slug, and the retention of stopped sandboxes (days; null keeps them: lib/sandboxes/retention.ts). */
export async function updateOrg(scope: OrgScope, input: OrgPatch): Promise<OrgView> {
  const patch: OrgPatch = {};
  if (input.name !== undefined) patch.name = displayName().parse(input.name);
  if (input.slug !== undefined) patch.slug = slugSchema.parse(input.slug);
  if (input.stoppedRetentionDays !== undefined) patch.stoppedRetentionDays = retentionDays.parse(input.stoppedRetentionDays);
  if (!patch.name && !patch.slug && patch.stoppedRetentionDays === undefined) throw badRequest('Nothing to change: send a name, a slug or stoppedRetentionDays');
  const db = await getDb();
  return thenForgetApiKeys(db.transaction(async (tx) => {
    const [before] = await tx.select().from(orgs).where(eq(orgs.id, scope.orgId)).for('update');
    if (!before) throw notFound('Organization');
    if (patch.slug && patch.slug !== before.slug) {
      const [clash] = await tx.select({ id: orgs.id }).from(orgs).where(and(eq(orgs.slug, patch.slug), ne(orgs.id, scope.orgId)));
      if (clash) throw slugTaken();
    }
    const [after] = await tx.update(orgs).set(patch).where(eq(orgs.id, scope.orgId)).returning();
    const changes = Object.fromEntries(
      Object.entries(patch)
        .filter(([k, v]) => before[k as keyof OrgPatch] !== v)
        .map(([k, v]) => [k, { from: before[k as keyof OrgPatch], to: v }]),
    );
    await recordAudit(scope, 'org.update', { type: 'org', id: scope.orgId }, changes, tx);
    return toOrgView(after!);
  }));
}

/**
 * Deletes the org and (by cascade) everything it owns. The caller types the slug to confirm.
 * A person may not delete the only org they belong to: the console always has an org to land
 * in; they create another first. (API-key callers have no such constraint.)
 * The audit event is platform-wide (org_id null) since the org's own log goes with it.
 */
export async function deleteOrg(scope: OrgScope, input: { confirm: string }): Promise<{ slug: string }> {
  const db = await getDb();
  // Checked once before the sandboxes go (so a refused delete stops nothing), and again under
  // the row lock. The runners are called outside the transaction: PGlite has one connection.
  await assertDeletable(db, scope, input.confirm);
  await deleteOrgSandboxes(scope.orgId);
  return thenForgetApiKeys(db.transaction(async (tx) => {
    const org = await assertDeletable(tx, scope, input.confirm, true);
    await tx.delete(orgs).where(eq(orgs.id, org.id));
    const actor = { ...actorFromScope(scope), orgId: null };
    await recordAudit(actor, 'org.delete', { type: 'org', id: org.id }, { slug: org.slug, name: org.name }, tx);
    return { slug: org.slug };
  }));
}

async function assertDeletable(dbx: DbOrTx, scope: OrgScope, confirm: string, lock = false): Promise<OrgRow> {
  const q = dbx.select().from(orgs).where(eq(orgs.id, scope.orgId));
  const [org] = lock ? await q.for('update') : await q;
  if (!org) throw notFound('Organization');
  if (confirm !== org.slug) throw badRequest(`To confirm, type the organization's URL name: ${org.slug}`);
  if (scope.actor.type === 'user') {
    const [{ n } = { n: 0 }] = await dbx
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.userId, scope.actor.userId), ne(memberships.orgId, org.id)));
    if (n === 0) throw conflict('This is your only organization. Create another one before deleting it.');
  }
  // Deleting the org would not stop Stripe charging its card: the subscription is ended first.
  const [live] = await dbx
    .select({ id: stripeSubscriptions.id })
    .from(stripeSubscriptions)
    .where(and(eq(stripeSubscriptions.orgId, org.id), inArray(stripeSubscriptions.status, LIVE_STATUSES)))
    .limit(1);
  if (live) throw conflict('This organization has a Stripe subscription: cancel it first (Billing → Manage payment), then delete the organization.');
  return org;
}

/** Used by the platform admin tools (no org scope): an org by slug or a clear 404. */
export async function getOrgBySlug(slug: string): Promise<OrgRow> {
  const db = await getDb();
  const [org] = await db.select().from(orgs).where(eq(orgs.slug, slug.trim().toLowerCase()));
  if (!org) throw new AppError('not_found', `Organization "${slug}" not found`);
  return org;
}

