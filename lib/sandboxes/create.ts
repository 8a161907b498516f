import { and, eq, isNull } from 'drizzle-orm';
import { type Db, type DbOrTx, getDb, schema } from '@/db';
import type { IsolationLevel } from '@/db/schema/sandboxes';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, badRequest, conflict, notFound } from '@/lib/errors';
import { can } from '@/lib/auth/permissions';
import { newId } from '@/lib/ids';
import { RunnerError, RunnerUnavailableError } from '@/lib/runner-client';
import { pickRunner } from '@/lib/runners/placement';
import { listRunners, runnerClient } from '@/lib/runners/registry';
import { type CreateSandboxBody, createSandboxBody } from '@/lib/schemas/sandboxes';
import { type ResolvedTemplate, resolveTemplate, templateToCreate } from '@/lib/templates/templates';
import { DEBIAN_TEMPLATE, ensureDebianTemplate } from '@/lib/templates/debian';
import { awaitTemplateReady, ensureTemplateImage, startTemplateCommand } from '@/lib/templates/on-runner';
import { orgBalance } from '@/lib/billing/balance';
import { blockedError, standingOf } from '@/lib/billing/standing';
import { checkResources, claimCapacity, SANDBOX_DEFAULTS } from './limits';
import { orgContext } from './org-context';
import { isolationFor } from './isolation';
import { inflight } from './inflight';
import { fromRunner, isRunnerNotFound } from './runner-errors';
import { isNameTaken } from './names';
import { applyRunnerInfo, markDeleted } from './store';
import { type SandboxRow, type SandboxView, sandboxView } from './view';
import { checkSecretsFit, markSecretsUsed, resolveSecrets } from '@/lib/secrets/vault';
import type { SandboxSecretsInput } from '@/lib/runner-client';

const { sandboxes, snapshots } = schema;

export { ACTIVE_STATES } from './limits';

/**
 * Creates a sandbox: billing standing (402/403 when the org cannot pay), limits, placement, then the row (state creating) BEFORE the runner call,
 * so a crash in between leaves a record the reconciler can finish or clean, never an untracked
 * sandbox. A failed runner call soft-deletes the row with the reason; nothing leaks.
 *
 * `retry` is an Idempotency-Key's (lib/api/idempotency): `remember` records the new sandbox's id
 * with the key in the row's own transaction, and `previous` is that id when this request retries
 * a first try whose console died. That sandbox is finished (created on its runner if it never got
 * there) and returned: one request never makes two sandboxes.
 */
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
  if (templateId === DEBIAN_TEMPLATE) {
    const { template, retryAt } = await ensureDebianTemplate({ platform: 'platform (first use)' });
    if (retryAt && !template.currentBuildId)
      throw conflict(
        `Template debian's last build failed (see its builds); a create tries it again after ${retryAt.toISOString()}, or a platform admin can rebuild it now`,
      );
  }
  // Env secrets end up readable in the sandbox: using secrets needs the right to read them.
  const names = body.secrets ?? [];
  if (names.length && !can(scope.role, 'secrets:read')) throw new AppError('forbidden', `Your role (${scope.role}) cannot use secrets: needs secrets:read`);
  // The reads a create needs do not depend on each other: one round trip's wait, not ten.
  const [template, { org, limits: { limits, plan } }, money, snap, resolved] = await Promise.all([
    fork ?? resolveTemplate(scope, templateId),
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

  const row = await db.transaction(async (tx) => {
    await claimCapacity(tx, scope.orgId, limits, res);
    // The writes go out together and are answered in one round trip's wait (postgres.js
    // pipelines a transaction's queries on its connection), in whatever order they are sent:
    // none reads another (the audit and secrets writes, plain async functions, are sent before
    // the insert, which drizzle sends when awaited). Still one transaction: a failure (a name
    // taken meanwhile) aborts them all, and is what rejects first (the statements after it only
    // say the transaction aborted).
    // The capacity claim is awaited before: its count must see all that committed before the lock.
    const [[inserted]] = await Promise.all([
      tx
        .insert(sandboxes)
        .values({
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
        })
        .returning(),
      recordAudit(scope, 'sandbox.create', { type: 'sandbox', id }, { template: template.id, snapshotId: snapshotId ?? null, secrets: names, isolation }, tx),
      markSecretsUsed(tx, scope, names, id, 'create'),
      retry.remember?.(tx, id),
    ]);
    return inserted!;
  }).catch((err) => {
    if (isNameTaken(err)) throw nameTaken(body.name!);
    throw err;
  });
  return createOnRunner(row, body.env, false, resolved);
}

/**
 * Creates a row's sandbox on its runner, from the row itself (and the request's env, which is not
 * stored). `again`: the first try may have reached the runner, so ask first; a create that
 * arrives while the first one's is still running there is a 409, after which it exists.
 */
async function createOnRunner(row: SandboxRow, env: Record<string, string> | undefined, again: boolean, secrets: SandboxSecretsInput): Promise<SandboxView> {
  const { id } = row;
  try {
    const client = await runnerClient(row.runnerId);
    const existing = () => client.get(id).catch((err) => (isRunnerNotFound(err) ? null : Promise.reject(err)));
    const info = await inflight(id, async () => {
      const first = again ? await existing() : null;
      if (first) return first;
      // A custom template's image is pulled on this runner first if it is not there yet (by digest).
      const image = row.templateBuildId && !row.snapshotId ? await ensureTemplateImage(client, row.templateBuildId) : null;
      const created = await client
        .create({
          id,
          template: row.template,
          image: image?.digest,
          snapshotId: row.snapshotId ?? undefined,
          isolation: row.isolation,
          resources: { cpu: row.cpu, memoryMb: row.memoryMb, diskMb: row.diskMb },
          network: row.network,
          env,
          timeoutSec: row.timeoutSec,
          idleTimeoutSec: row.idleTimeoutSec,
          // The runner stops or pauses on timeout; a delete is the console's (lib/sandboxes/retention.ts).
          onTimeout: row.onTimeout === 'pause' ? 'pause' : 'stop',
          metadata: row.metadata,
          secrets,
        })
        .catch(async (err) => {
          const late = again && err instanceof RunnerError && err.status === 409 ? await existing() : null;
          if (!late) throw err;
          return late;
        });
      if (image) await startTemplateCommand(client, id, image);
      // A template's ready command must pass before the create answers (else it fails and goes).
      if (row.templateBuildId) await awaitTemplateReady(client, id, row.template);
      return created;
    });
    return sandboxView(await applyRunnerInfo(row, info));
  } catch (err) {
    const reason = err instanceof RunnerUnavailableError ? 'runner unavailable during create' : `create failed: ${(err as Error).message}`;
    // Soft-deleted with desired_state deleted: if the runner did create it after all, the
    // reconciler finds the row and deletes the runner's copy.
    await markDeleted(id, reason.slice(0, 500), 'error');
    // A runner at its own sandbox cap is a capacity problem of ours, not the caller's quota.
    if (err instanceof RunnerError && err.code === 'quota_exceeded' && /runner is full/i.test(err.message)) {
      throw new AppError('runner_unavailable', 'No sandbox runner has room right now; try again shortly');
    }
    throw fromRunner(err);
  }
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
