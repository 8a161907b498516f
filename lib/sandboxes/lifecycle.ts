import { and, eq, isNull, ne } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { type AuditActor, recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { type AppError, conflict, notFound } from '@/lib/errors';
import { type SandboxInfo, surelyNotDone } from '@/lib/runner-client';
import { runnerClient } from '@/lib/runners/registry';
import { assertCanSpend } from '@/lib/billing/standing';
import { checkResources, checkTimeout, claimCapacity, orgLimits } from './limits';
import { forgetSandboxRow } from './sandbox-row-memo';
import { refreshRow } from './queries';
import { inflight } from './inflight';
import { fromRunner, isRunnerNotFound } from './runner-errors';
import { applyRunnerInfo, markDeleted, markLost, ownedSandbox, updateRow } from './store';
import { type SandboxRow, type SandboxView, sandboxView } from './view';
import { markSecretsUsed, resolveSecrets } from '@/lib/secrets/vault';

export type Action = 'start' | 'stop' | 'pause' | 'resume';

/** Which stored states each action may leave; anything else is a 409 naming the state. */
const FROM: Record<Action, SandboxRow['state'][]> = {
  start: ['stopped'],
  stop: ['running', 'paused'],
  pause: ['running'],
  resume: ['paused'],
};
const DESIRED: Record<Action, 'running' | 'stopped' | 'paused'> = { start: 'running', stop: 'stopped', pause: 'paused', resume: 'running' };

/** Calls the runner for a sandbox; a sandbox the runner no longer has is recorded as lost. */
export async function onRunner<T>(row: SandboxRow, fn: (c: Awaited<ReturnType<typeof runnerClient>>) => Promise<T>): Promise<T> {
  try {
    return await fn(await runnerClient(row.runnerId));
  } catch (err) {
    if (isRunnerNotFound(err) && (err as Error).message === 'Sandbox not found') {
      // A row deleted meanwhile (the runner let it go for that) is the 404 a fresh read gives.
      if ((await markLost(row)).deletedAt) throw notFound('Sandbox');
      throw conflict('The runner no longer has this sandbox (lost by runner); delete it and create a new one');
    }
    throw fromRunner(err);
  }
}

export function sandboxAction(scope: OrgScope, id: string, action: Action): Promise<SandboxView> {
  return inflight(id, () => runAction(scope, id, action));
}

async function runAction(scope: OrgScope, id: string, action: Action): Promise<SandboxView> {
  let row = await ownedSandbox(scope, id);
  if (!FROM[action].includes(row.state)) {
    throw conflict(`Sandbox is ${row.state}${row.reason ? ` (${row.reason})` : ''}; cannot ${action} it`);
  }
  const before = row;
  const runs = action === 'start' || action === 'resume';
  // A start resolves the sandbox's secrets again (their values now; a deleted one is a 400
  // naming it, before anything is claimed). A resume has nothing to resolve: its processes live.
  const secrets = action === 'start' ? await resolveSecrets(scope.orgId, row.secrets) : undefined;
  if (runs) row = await claimForRun(scope, row);
  let info: SandboxInfo;
  try {
    info = await onRunner(row, (c) => (action === 'start' ? c.start(id, { secrets }) : c[action](id)));
  } catch (err) {
    if (runs) await updateRow(id, { state: before.state, desiredState: before.desiredState }, before);
    // A 409 from the runner means our stored state was stale: take the runner's now, so the
    // next call (and the console's list) sees the truth without waiting for the reconciler.
    if ((err as { code?: string }).code === 'conflict') await refreshRow(before).catch(() => {});
    throw err;
  }
  const updated = await applyRunnerInfo({ ...row, desiredState: DESIRED[action] }, info);
  await updateRow(id, { desiredState: DESIRED[action] }, updated);
  await recordAudit(scope, `sandbox.${action}`, { type: 'sandbox', id });
  if (action === 'start') await markSecretsUsed(await getDb(), scope, row.secrets, id, 'start');
  return sandboxView({ ...updated, desiredState: DESIRED[action] });
}

/**
 * Starting a stopped sandbox or resuming a paused one spends again: the org must be able to pay,
 * the sandbox must fit the plan's per-sandbox maxima (a plan may have shrunk since its create;
 * its TTL is not re-checked, as nothing could shorten it while stopped), and it takes capacity
 * under the same per-org lock as create: a slot, its vCPUs and its memory.
 */
async function claimForRun(scope: OrgScope, row: SandboxRow): Promise<SandboxRow> {
  await assertCanSpend(scope.orgId);
  const limits = await orgLimits(scope.orgId);
  checkResources(limits, { cpu: row.cpu, memoryMb: row.memoryMb, diskMb: row.diskMb, timeoutSec: 0 });
  const db = await getDb();
  const claimed = await db.transaction(async (tx) => {
    await claimCapacity(tx, scope.orgId, limits, { cpu: row.cpu, memoryMb: row.memoryMb }, row.id);
    const { sandboxes } = schema;
    // Claimed inside the lock: the capacity counts from now, before the runner has answered.
    const [claimed] = await tx
      .update(sandboxes)
      .set({ state: 'running', desiredState: 'running' })
      .where(and(eq(sandboxes.id, row.id), eq(sandboxes.state, row.state)))
      .returning();
    if (!claimed) throw conflict('Sandbox changed state meanwhile; try again');
    return claimed;
  });
  forgetSandboxRow(row.id); // its state changed: after the commit, as ./store.ts does
  return claimed;
}

export async function setSandboxTimeout(scope: OrgScope, id: string, timeoutSec: number): Promise<SandboxView> {
  const row = await ownedSandbox(scope, id);
  checkTimeout(await orgLimits(scope.orgId), timeoutSec);
  await assertCanSpend(scope.orgId);
  if (row.state !== 'running' && row.state !== 'paused') throw conflict(`Sandbox is ${row.state}; start it before extending its timeout`);
  const info = await onRunner(row, (c) => c.setTimeout(id, timeoutSec));
  const updated = await applyRunnerInfo(row, info);
  await recordAudit(scope, 'sandbox.timeout', { type: 'sandbox', id }, { timeoutSec });
  return sandboxView(updated);
}

/**
 * Deletes on the runner first, then the row. The intent is written before the runner call:
 * should this console die between the runner's delete and the row's, the reconciler finishes the
 * delete instead of reporting the sandbox lost. The intent is taken back only when the runner
 * surely did nothing (it refused, or was not there at all); a runner that died mid-request may
 * have begun (and then finishes a begun delete as it restarts), so the reconciler completes it.
 */
export async function deleteSandbox(
  scope: Pick<OrgScope, 'orgId'>,
  id: string,
  audit: DeleteAudit = { by: scope as OrgScope },
): Promise<void> {
  const row = await ownedSandbox(scope, id);
  await inflight(id, async () => {
    const intended = await recordDeleteIntent(id, audit);
    try {
      const client = await runnerClient(row.runnerId);
      await client.delete(id);
    } catch (err) {
      if (!isRunnerNotFound(err)) {
        const failure = fromRunner(err);
        // Nothing happened: say so, in the row and in the audit log. An intent an earlier try
        // recorded stays: that try may have begun on the runner.
        if (surelyNotDone(err) && intended) await takeBackDeleteIntent(id, row.desiredState, audit, (failure as AppError).code ?? 'internal');
        throw failure;
      }
    }
    await markDeleted(id);
  });
}

type DeleteAudit = { by: OrgScope | AuditActor; data?: Record<string, unknown> };

/**
 * Records the intent to delete together with its audit entry, in one transaction, so a delete
 * the reconciler finishes (this console died) is audited too. False when an earlier try had
 * recorded it already (its entry stands for this one).
 */
async function recordDeleteIntent(id: string, audit: DeleteAudit): Promise<boolean> {
  const db = await getDb();
  const { sandboxes } = schema;
  const recorded = await db.transaction(async (tx) => {
    const [r] = await tx
      .update(sandboxes)
      .set({ desiredState: 'deleted' })
      .where(and(eq(sandboxes.id, id), isNull(sandboxes.deletedAt), ne(sandboxes.desiredState, 'deleted')))
      .returning({ id: sandboxes.id });
    if (r) await recordAudit(audit.by, 'sandbox.delete', { type: 'sandbox', id }, audit.data, tx);
    return r !== undefined;
  });
  forgetSandboxRow(id);
  return recorded;
}

/** The runner surely did nothing: the intent goes, with a delete_failed entry; unless the delete was finished meanwhile (another console's reconciler). */
async function takeBackDeleteIntent(id: string, desiredState: SandboxRow['desiredState'], audit: DeleteAudit, code: string): Promise<void> {
  const db = await getDb();
  const { sandboxes } = schema;
  await db.transaction(async (tx) => {
    const [r] = await tx
      .update(sandboxes)
      .set({ desiredState })
      .where(and(eq(sandboxes.id, id), isNull(sandboxes.deletedAt), eq(sandboxes.desiredState, 'deleted')))
      .returning({ id: sandboxes.id });
    if (r) await recordAudit(audit.by, 'sandbox.delete_failed', { type: 'sandbox', id }, { code }, tx);
  });
  forgetSandboxRow(id);
}

/**
 * A read: cancelled with the caller's `signal` when the client hangs up. `recent` is the
 * runner's history of the last minutes (only samples after `since` when given).
 */
export async function sandboxMetrics(scope: OrgScope, id: string, signal?: AbortSignal, since?: Date) {
  const row = await ownedSandbox(scope, id);
  const m = await onRunner(row, (c) => c.metrics(id, { signal, sinceMs: since?.getTime() }));
  return { ...m, recent: m.recent ?? [] };
}
