import { and, eq, isNull } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, conflict, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { RunnerError, RunnerUnavailableError } from '@/lib/runner-client';
import { pickRunner } from '@/lib/runners/placement';
import { runnerClient } from '@/lib/runners/registry';
import { type CreateSandboxBody, createSandboxBody } from '@/lib/schemas/sandboxes';
import { resolveTemplate } from '@/lib/templates/templates';
import { assertCanSpend } from '@/lib/billing/standing';
import { checkResources, claimCapacity, orgLimits, SANDBOX_DEFAULTS } from './limits';
import { inflight } from './inflight';
import { fromRunner, isRunnerNotFound } from './runner-errors';
import { isNameTaken } from './names';
import { applyRunnerInfo, markDeleted } from './store';
import { type SandboxRow, type SandboxView, sandboxView } from './view';

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
    if (first) return createOnRunner(first, body.env, true);
  }
  const template = resolveTemplate(body.template);
  const limits = await orgLimits(scope.orgId);
  const res = {
    cpu: body.cpu ?? Math.min(SANDBOX_DEFAULTS.cpu, limits.maxCpu),
    memoryMb: body.memoryMb ?? Math.min(SANDBOX_DEFAULTS.memoryMb, limits.maxMemoryMb),
    diskMb: body.diskMb ?? Math.min(SANDBOX_DEFAULTS.diskMb, limits.maxDiskMb),
    timeoutSec: body.timeoutSec ?? Math.min(SANDBOX_DEFAULTS.timeoutSec, limits.maxTimeoutSec),
  };
  checkResources(limits, res);
  await assertCanSpend(scope.orgId);

  let pinned: string | undefined;
  if (body.snapshotId) {
    const [snap] = await db
      .select()
      .from(snapshots)
      .where(and(eq(snapshots.id, body.snapshotId), eq(snapshots.orgId, scope.orgId), isNull(snapshots.deletedAt)));
    if (!snap) throw notFound('Snapshot');
    pinned = snap.runnerId;
  }
  const runner = await pickRunner(res, pinned);
  const id = newId();
  const network = body.network ?? { mode: 'none' as const };

  // Taken names are a 409 before anything is claimed; the unique index settles a race (below).
  if (body.name) await assertNameFree(scope.orgId, body.name);
  const row = await db.transaction(async (tx) => {
    await claimCapacity(tx, scope.orgId, limits, res);
    const [inserted] = await tx
      .insert(sandboxes)
      .values({
        id,
        orgId: scope.orgId,
        runnerId: runner.id,
        template: template.id,
        snapshotId: body.snapshotId ?? null,
        name: body.name ?? null,
        onTimeout: body.onTimeout ?? 'stop',
        state: 'creating',
        desiredState: 'running',
        ...res,
        idleTimeoutSec: body.idleTimeoutSec ?? SANDBOX_DEFAULTS.idleTimeoutSec,
        network,
        metadata: body.metadata ?? {},
        createdBy: scope.actor.label,
      })
      .returning();
    await recordAudit(scope, 'sandbox.create', { type: 'sandbox', id }, { template: template.id, snapshotId: body.snapshotId ?? null }, tx);
    await retry.remember?.(tx, id);
    return inserted!;
  }).catch((err) => {
    if (isNameTaken(err)) throw nameTaken(body.name!);
    throw err;
  });
  return createOnRunner(row, body.env, false);
}

/**
 * Creates a row's sandbox on its runner, from the row itself (and the request's env, which is not
 * stored). `again`: the first try may have reached the runner, so ask first; a create that
 * arrives while the first one's is still running there is a 409, after which it exists.
 */
async function createOnRunner(row: SandboxRow, env: Record<string, string> | undefined, again: boolean): Promise<SandboxView> {
  const { id } = row;
  try {
    const client = await runnerClient(row.runnerId);
    const existing = () => client.get(id).catch((err) => (isRunnerNotFound(err) ? null : Promise.reject(err)));
    const info = await inflight(id, async () => {
      const first = again ? await existing() : null;
      if (first) return first;
      return client
        .create({
          id,
          template: row.template,
          snapshotId: row.snapshotId ?? undefined,
          resources: { cpu: row.cpu, memoryMb: row.memoryMb, diskMb: row.diskMb },
          network: row.network,
          env,
          timeoutSec: row.timeoutSec,
          idleTimeoutSec: row.idleTimeoutSec,
          // The runner stops or pauses on timeout; a delete is the console's (lib/sandboxes/retention.ts).
          onTimeout: row.onTimeout === 'pause' ? 'pause' : 'stop',
          metadata: row.metadata,
        })
        .catch(async (err) => {
          const late = again && err instanceof RunnerError && err.status === 409 ? await existing() : null;
          if (!late) throw err;
          return late;
        });
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

const nameTaken = (name: string) => conflict(`A sandbox named ${name} already exists in this org; delete it or pick another name`);

async function assertNameFree(orgId: string, name: string): Promise<void> {
  const db = await getDb();
  const [taken] = await db
    .select({ id: sandboxes.id })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), eq(sandboxes.name, name), isNull(sandboxes.deletedAt)));
  if (taken) throw nameTaken(name);
}
