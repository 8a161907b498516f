import { and, eq, isNull } from 'drizzle-orm';
import { type Db, type DbOrTx, getDb, schema } from '@/db';
import type { IsolationLevel } from '@/db/schema/sandboxes';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, badRequest, conflict, notFound } from '@/lib/errors';
import { can } from '@/lib/auth/permissions';
import { newId } from '@/lib/ids';
import { pickRunner } from '@/lib/runners/placement';
import { listRunners } from '@/lib/runners/registry';
import { type CreateSandboxBody, createSandboxBody } from '@/lib/schemas/sandboxes';
import { type ResolvedTemplate, resolveTemplate, templateToCreate } from '@/lib/templates/templates';
import { DEBIAN_TEMPLATE, ensureDebianTemplate } from '@/lib/templates/debian';
import { orgBalance } from '@/lib/billing/balance';
import { blockedError, standingOf } from '@/lib/billing/standing';
import { checkResources, SANDBOX_DEFAULTS } from './limits';
import { checkCapacity, lockCapacity } from './capacity';
import { createOnRunner } from './create-on-runner';
import { orgContext } from './org-context';
import { isolationFor } from './isolation';
import { isNameTaken } from './names';
import type { SandboxView } from './view';
import { checkSecretsFit, markSecretsUsed, resolveSecrets } from '@/lib/secrets/vault';

const { sandboxes, snapshots } = schema;

export { ACTIVE_STATES } from './limits';

/** The caller's org's snapshot, or a 404. */
async function ownedSnapshot(db: Db, orgId: string, snapshotId: string) {
  const [snap] = await db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.id, snapshotId), eq(snapshots.orgId, orgId), isNull(snapshots.deletedAt)));
  if (!snap) throw notFound('Snapshot');
  return snap;
}

/** A saved template's snapshot: whichever org's (a platform template's is), as long as it lives. */
async function liveSnapshot(db: Db, snapshotId: string) {
  const [snap] = await db.select().from(snapshots).where(and(eq(snapshots.id, snapshotId), isNull(snapshots.deletedAt)));
  if (!snap) throw notFound('Snapshot');
  return snap;
}

/**
 * Creates a sandbox: billing standing (402/403 when the org cannot pay), limits, placement, then
 * the row (state creating) BEFORE the runner call, so a crash in between leaves a record the
 * reconciler can finish or clean, never an untracked sandbox. A failed runner call soft-deletes
 * the row with the reason; nothing leaks.
 *
 * `retry` is an Idempotency-Key's (lib/api/idempotency): `remember` records the new sandbox's id
 * with the key in the row's own transaction, and `previous` is that id when this request retries
 * a first try whose console died. That sandbox is finished (created on its runner if it never got
 * there) and returned: one request never makes two sandboxes.
 */
export async function createSandbox(
  scope: OrgScope,
  input: CreateSandboxBody,
  retry: { previous?: string | null; remember?: (tx: DbOrTx, id: string) => Promise<void> } = {},
): Promise<SandboxView> {
  const body = createSandboxBody.parse(input);
  const db = await getDb();
  if (retry.previous) {
    const [first] = await db
      .select()
      .from(sandboxes)
      .where(and(eq(sandboxes.id, retry.previous), eq(sandboxes.orgId, scope.orgId), isNull(sandboxes.deletedAt)));
    if (first) return createOnRunner(first, body.env, true, await resolveSecrets(scope.orgId, first.secrets));
  }
  // Reads that depend on nothing in the request start at once, so their waits overlap with the
  // template's resolution below: the org's row, plan and overrides (one statement), its balance
  // and the runner registry. Handled here so an early refusal never leaves a rejection unheard.
  const ctx = settled(orgContext(scope.orgId));
  const balance = settled(orgBalance(scope.orgId, new Date(), undefined, settled(ctx.then(({ rates }) => rates))));
  const runnersListed = settled(listRunners());
  // A fork that names no template is made from its snapshot's layers: it records the template
  // its sandbox had, and never waits for (or is refused) the default one.
  const fork = body.snapshotId && !body.template ? await forkTemplate(db, scope.orgId, body.snapshotId) : null;
  // The named template, else the org's default, else the platform's (`base`: Debian).
  const templateId = fork ? fork.id : await templateToCreate(scope, body.template, settled(ctx.then(({ org }) => org.defaultTemplateId)));
  // The platform's Debian template is built at first start (when it is the default) or on first
  // use (its build takes minutes), and again when its recipe changed. Every org sees the platform
  // row, so it names no one. Creates answer 409 until a build is ready, whether they named it or
  // got it as the default.
  let resolving: Promise<ResolvedTemplate> | null = null;
  if (templateId === DEBIAN_TEMPLATE) {
    // The template is read alongside the check: when the check wrote nothing (no build started,
    // the usual case) that read stands, else it is read again once the check is done.
    const early = settled(resolveTemplate(scope, templateId));
    const { template, build, retryAt } = await ensureDebianTemplate({ platform: 'platform (first use)' });
    if (retryAt && !template.currentBuildId)
      throw conflict(
        `Template debian's last build failed (see its builds); a create tries it again after ${retryAt.toISOString()}, or a platform admin can rebuild it now`,
      );
    if (!build) resolving = early;
  }
  // Env secrets end up readable in the sandbox: using secrets needs the right to read them.
  const names = body.secrets ?? [];
  if (names.length && !can(scope.role, 'secrets:read')) throw new AppError('forbidden', `Your role (${scope.role}) cannot use secrets: needs secrets:read`);
  // The reads a create needs do not depend on each other: one round trip's wait, not ten.
  const [template, { org, limits: { limits, plan } }, money, snap, resolved] = await Promise.all([
    fork ?? resolving ?? resolveTemplate(scope, templateId),
    ctx,
    balance,
    body.snapshotId ? ownedSnapshot(db, scope.orgId, body.snapshotId) : undefined,
    // Unknown names are a 400 naming them, before anything is made; values are decrypted here and
    // go to the runner only (the row keeps the names).
    resolveSecrets(scope.orgId, names),
    // Taken names are a 409 before anything is claimed; the unique index settles a race (below).
    body.name ? assertNameFree(scope.orgId, body.name) : undefined,
  ]);
  // Billing standing (402/403 when the org cannot pay), from the org row and balance read above.
  const blocked = blockedError(standingOf(org, money));
  if (blocked) throw blocked;
  const res = {
    cpu: body.cpu ?? Math.min(SANDBOX_DEFAULTS.cpu, limits.maxCpu),
    memoryMb: body.memoryMb ?? Math.min(SANDBOX_DEFAULTS.memoryMb, limits.maxMemoryMb),
    diskMb: body.diskMb ?? Math.min(SANDBOX_DEFAULTS.diskMb, limits.maxDiskMb),
    timeoutSec: body.timeoutSec ?? Math.min(SANDBOX_DEFAULTS.timeoutSec, limits.maxTimeoutSec),
  };
  checkResources(limits, res);
  // A template saved from a snapshot starts its sandboxes as forks of that snapshot (its runner);
  // the snapshot may be another org's when the template is a platform one.
  const templateSnapshot = template.builtin ? null : template.template.snapshotId;
  if (templateSnapshot && body.snapshotId) throw badRequest(`Template ${body.template} is a saved snapshot; a create names it or a snapshotId, not both`);
  const snapshotId = body.snapshotId ?? templateSnapshot ?? undefined;
  const source = templateSnapshot ? await liveSnapshot(db, templateSnapshot) : snap;
  const pinned = source?.runnerId;
  // A fork keeps the level of the sandbox it was snapshotted from unless told otherwise: code
  // someone ran under gVisor must not land in a runc container by default.
  const isolation = isolationFor(body.isolation, (template.builtin ? null : template.template.isolation) ?? (source ? await levelOf(db, source.sandboxId) : null), plan);
  const id = newId();
  const network = body.network ?? { mode: 'none' as const };
  checkSecretsFit(resolved, network, body.env ?? {});
  const runner = await pickRunner({ ...res, isolation }, pinned, runnersListed);

  const values = {
    id,
    orgId: scope.orgId,
    runnerId: runner.id,
    template: template.id,
    templateBuildId: template.builtin ? null : template.build.id,
    snapshotId: snapshotId ?? null,
    name: body.name ?? null,
    onTimeout: body.onTimeout ?? 'stop',
    isolation,
    state: 'creating',
    desiredState: 'running',
    ...res,
    idleTimeoutSec: body.idleTimeoutSec ?? SANDBOX_DEFAULTS.idleTimeoutSec,
    network,
    metadata: body.metadata ?? {},
    secrets: names,
    createdBy: scope.actor.label,
  } satisfies typeof sandboxes.$inferInsert;
  const row = await db
    .transaction(async (tx) => {
      await lockCapacity(tx, scope.orgId);
      // Under the lock, the capacity count and the writes go out together and are answered in
      // one round trip's wait (postgres.js pipelines a transaction's queries on its connection),
      // in whatever order they are sent: the count leaves the new row out by its id, and no
      // write reads another (the audit and secrets writes, plain async functions, are sent
      // before the insert, which drizzle sends when awaited). Still one transaction: a refusal
      // by the count (429) or a failure of a write (a name taken meanwhile) rolls back all.
      const checked = settled(checkCapacity(tx, scope.orgId, limits, res, id));
      const writes = settled(
        Promise.all([
          tx.insert(sandboxes).values(values).returning(),
          recordAudit(scope, 'sandbox.create', { type: 'sandbox', id }, { template: template.id, snapshotId: snapshotId ?? null, secrets: names, isolation }, tx),
          markSecretsUsed(tx, scope, names, id, 'create'),
          retry.remember?.(tx, id),
        ]),
      );
      const [count, written] = await Promise.allSettled([checked, writes]);
      // The count's refusal is the answer; when a write failed first, the count after it only
      // says the transaction was aborted, so the write's own error is the one to report.
      if (count.status === 'rejected' && count.reason instanceof AppError) throw count.reason;
      if (written.status === 'rejected') throw written.reason;
      if (count.status === 'rejected') throw count.reason;
      return written.value[0][0]!;
    })
    .catch((err) => {
      if (isNameTaken(err)) throw nameTaken(body.name!);
      throw err;
    });
  return createOnRunner(row, body.env, false, resolved);
}

/**
 * The template of the sandbox a snapshot was taken of (a missing snapshot is the create's 404).
 * No build is pinned: the fork runs the snapshot's layers, and its template's start and ready
 * commands are not run again (as for any fork).
 */
async function forkTemplate(db: Db, orgId: string, snapshotId: string): Promise<ResolvedTemplate> {
  const snap = await ownedSnapshot(db, orgId, snapshotId);
  const [src] = await db.select({ template: sandboxes.template }).from(sandboxes).where(eq(sandboxes.id, snap.sandboxId));
  return { builtin: true, id: src?.template ?? 'default' };
}

/** The level of the sandbox a snapshot was taken of (deleted ones too: their rows stay). */
async function levelOf(db: Db, sandboxId: string): Promise<IsolationLevel | null> {
  const [row] = await db.select({ isolation: sandboxes.isolation }).from(sandboxes).where(eq(sandboxes.id, sandboxId));
  return row?.isolation ?? null;
}

/** The promise itself, marked handled: awaited later, or never when the create is refused first. */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

const nameTaken = (name: string) => conflict(`A sandbox named ${name} already exists in this org; delete it or pick another name`);

async function assertNameFree(orgId: string, name: string): Promise<void> {
  const db = await getDb();
  const [taken] = await db
    .select({ id: sandboxes.id })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), eq(sandboxes.name, name), isNull(sandboxes.deletedAt)));
  if (taken) throw nameTaken(name);
}
