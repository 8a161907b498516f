import { AppError } from '@/lib/errors';
import { RunnerError, RunnerUnavailableError, type SandboxInfo, type SandboxSecretsInput } from '@/lib/runner-client';
import { runnerClient } from '@/lib/runners/registry';
import { awaitTemplateReady, ensureTemplateImage, startTemplateCommand } from '@/lib/templates/on-runner';
import { inflight } from './inflight';
import { fromRunner, isRunnerNotFound } from './runner-errors';
import { applyRunnerInfo, markDeleted } from './store';
import { type SandboxRow, type SandboxView, sandboxView } from './view';

/**
 * Creates a row's sandbox on its runner, from the row itself (and the request's env, which is not
 * stored), and copies the runner's answer into the row. `again`: the first try may have reached
 * the runner, so ask first; a create that arrives while the first one's is still running there is
 * a 409, after which it exists. A failure leaves the row soft-deleted with the reason.
 */
export async function createOnRunner(
  row: SandboxRow,
  env: Record<string, string> | undefined,
  again: boolean,
  secrets: SandboxSecretsInput,
): Promise<SandboxView> {
  try {
    const info = await inflight(row.id, () => makeOnRunner(row, env, again, secrets));
    // Remembered: an agent's first exec follows its create at once (./sandbox-row-memo.ts).
    return sandboxView(await applyRunnerInfo(row, info, { memo: true }));
  } catch (err) {
    throw await failed(row.id, err);
  }
}

async function makeOnRunner(
  row: SandboxRow,
  env: Record<string, string> | undefined,
  again: boolean,
  secrets: SandboxSecretsInput,
): Promise<SandboxInfo> {
  const { id } = row;
  const client = await runnerClient(row.runnerId);
  const existing = () => client.get(id).catch((err) => (isRunnerNotFound(err) ? null : Promise.reject(err)));
  const first = again ? await existing() : null;
  if (first) return first;
  // A custom template's image is pulled on this runner first if it is not there yet (by digest).
  const image =
    row.templateBuildId && !row.snapshotId ? await ensureTemplateImage(client, row.templateBuildId) : null;
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
}

/** The row records the failure; the error is what the caller hears. */
async function failed(id: string, err: unknown): Promise<unknown> {
  const reason =
    err instanceof RunnerUnavailableError
      ? 'runner unavailable during create'
      : `create failed: ${(err as Error).message}`;
  // Soft-deleted with desired_state deleted: if the runner did create it after all, the
  // reconciler finds the row and deletes the runner's copy.
  await markDeleted(id, reason.slice(0, 500), 'error');
  // A runner at its own sandbox cap is a capacity problem of ours, not the caller's quota.
  if (err instanceof RunnerError && err.code === 'quota_exceeded' && /runner is full/i.test(err.message)) {
    return new AppError('runner_unavailable', 'No sandbox runner has room right now; try again shortly');
  }
  return fromRunner(err);
}
