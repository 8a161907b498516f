import type { schema } from '@/db';
import { shareIdOf, userMetadata } from './internal-metadata';

export type SandboxRow = typeof schema.sandboxes.$inferSelect;
export type SnapshotRow = typeof schema.snapshots.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The public shape of a sandbox (never the runner's address or internal ids); `costMicros` is
 * its cost so far (lib/usage), 0 when the caller did not look it up (a create). */
export function sandboxView(r: SandboxRow, costMicros = 0) {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    desiredState: r.desiredState,
    reason: r.reason,
    template: r.template,
    templateBuildId: r.templateBuildId,
    snapshotId: r.snapshotId,
    cpu: r.cpu,
    memoryMb: r.memoryMb,
    diskMb: r.diskMb,
    network: r.network,
    metadata: userMetadata(r.metadata),
    shareId: shareIdOf(r.metadata),
    secrets: r.secrets,
    timeoutSec: r.timeoutSec,
    idleTimeoutSec: r.idleTimeoutSec,
    onTimeout: r.onTimeout,
    isolation: r.isolation,
    expiresAt: iso(r.expiresAt),
    lastActivityAt: iso(r.lastActivityAt),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    stoppedAt: iso(r.stoppedAt),
    costMicros,
  };
}
export type SandboxView = ReturnType<typeof sandboxView>;

export function snapshotView(s: SnapshotRow) {
  return { id: s.id, name: s.name, sandboxId: s.sandboxId, sizeBytes: s.sizeBytes, createdAt: s.createdAt.toISOString() };
}
