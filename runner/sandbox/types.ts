import type { AgentClient } from '@/runner/agent/client';
import type { JournalPage } from './journal-types';

/** What the runner knows about one sandbox; persisted as JSON under the runner's state dir. */
export type SandboxState = 'creating' | 'running' | 'paused' | 'stopped' | 'error';
/** `ports`: destination ports open through the allow-list proxy (80 and 443 when absent). */
export type NetworkPolicy = { mode: 'none' | 'egress'; allow?: string[]; ports?: number[] };

/**
 * How a sandbox is isolated from the host (README: Isolation levels): `container` is runc
 * (namespaces, seccomp, the host kernel); `gvisor` is runsc (a user-space kernel in between).
 */
export type Isolation = 'container' | 'gvisor';
export const ISOLATIONS: Isolation[] = ['container', 'gvisor'];

export type SandboxResources = { cpu: number; memoryMb: number; diskMb: number };

/**
 * An egress-only secret as the runner gets it: the sandbox sees `NAME=placeholder`, and the egress
 * proxy puts `value` in place of the placeholder in request headers to `hosts` only (README:
 * Secrets). `revision` lets the console tell whether a running sandbox has the current value.
 */
export type EgressSecret = { name: string; placeholder: string; hosts: string[]; value: string; revision: number };
/** Secrets resolved by the console for one boot of a sandbox (create or start). Never persisted in clear. */
export type SandboxSecretsInput = { env?: Record<string, string>; egress?: EgressSecret[] };
/** What a sandbox's info says of its secrets: names, hosts and revisions, never a value. */
export type SandboxSecretsInfo = { env: string[]; egress: Array<{ name: string; hosts: string[]; revision: number }> };

export type CreateSandboxInput = {
  /** Chosen by the console (valid DNS label); generated when absent. */
  id?: string;
  /** A label the console chooses (its template id and version); the runner only records it. */
  template?: string;
  /** Digest of an image pulled on this runner (runner/images): its layers become the rootfs. */
  image?: string;
  snapshotId?: string;
  resources?: Partial<SandboxResources>;
  network?: NetworkPolicy;
  env?: Record<string, string>;
  /** Hard TTL from now; the runner stops the sandbox when it passes. 0 = none. */
  timeoutSec?: number;
  /** Stop after this long without exec/pty/file/port activity. 0 = never. */
  idleTimeoutSec?: number;
  /** What the reaper does when either timeout passes: stop (the default) or pause. */
  onTimeout?: TimeoutAction;
  metadata?: Record<string, string>;
  secrets?: SandboxSecretsInput;
  /** `container` when absent. */
  isolation?: Isolation;
};

export type TimeoutAction = 'stop' | 'pause';

export type SandboxInfo = {
  id: string;
  state: SandboxState;
  /** Why it is stopped or in error (timeout, idle, oom, user, runner restart…). */
  reason: string | null;
  template: string;
  /** Absent in records written before isolation levels: `container`. */
  isolation?: Isolation;
  /** The image the sandbox runs (manifest digest), when it was made from one. */
  image?: string | null;
  /** Where commands start when they name no cwd: the image's WorkingDir (else the user's home). */
  workdir?: string | null;
  snapshotId: string | null;
  resources: SandboxResources;
  network: NetworkPolicy;
  env: Record<string, string>;
  /** Names only: the values live in the runner's memory-backed store while the sandbox runs. */
  secrets: SandboxSecretsInfo;
  metadata: Record<string, string>;
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  expiresAt: string | null;
  timeoutSec: number;
  idleTimeoutSec: number;
  /** Absent in records written before it existed: stop. */
  onTimeout?: TimeoutAction;
  lastActivityAt: string;
};

export type SandboxMetrics = {
  cpuSeconds: number;
  memoryBytes: number;
  diskBytes: number;
  pids: number;
  /** Recent history, oldest first (runner/sandbox/recent-metrics.ts). */
  recent?: Array<{ at: string; cpuPercent: number; memoryBytes: number }>;
};

export type SnapshotInfo = {
  id: string;
  name: string | null;
  sandboxId: string;
  /** The snapshot this one's sandbox was forked from, if any. */
  parentSnapshotId: string | null;
  template: string;
  sizeBytes: number;
  createdAt: string;
  /** Sandboxes whose lower layers include this snapshot. */
  usedBy: string[];
};

export type Capacity = {
  sandboxes: number;
  running: number;
  maxSandboxes: number;
  cpuCommitted: number;
  cpuTotal: number;
  memoryMbCommitted: number;
  memoryMbTotal: number;
  diskMbCommitted: number;
  poolReady: number;
  /** Isolation levels this runner can run now (`gvisor` only when its probe passed). */
  isolation: Record<Isolation, { available: boolean; reason?: string }>;
};

/** A user inside the sandbox, by name; `user` (uid 1000) unless asked otherwise. */
export type SandboxUser = 'user' | 'root';
export const USERS: Record<SandboxUser, { uid: number; gid: number; home: string }> = {
  user: { uid: 1000, gid: 1000, home: '/home/user' },
  root: { uid: 0, gid: 0, home: '/root' },
};

/** The narrow interface the runner's API layer uses; the local runc runtime implements it. */
export interface SandboxManager {
  create(input: CreateSandboxInput): Promise<SandboxInfo>;
  list(): SandboxInfo[];
  get(id: string): SandboxInfo;
  /** `secrets`: resolved again by the console at each start (values may have changed). */
  start(id: string, input?: { secrets?: SandboxSecretsInput }): Promise<SandboxInfo>;
  /** Replaces a running sandbox's egress-only secrets (a value or hosts changed, or one was deleted). */
  updateEgressSecrets(id: string, egress: EgressSecret[]): SandboxInfo;
  /** Environment of the sandbox's secrets (env secrets, egress placeholders, proxy and CA variables). */
  secretEnv(id: string): Record<string, string>;
  stop(id: string, reason?: string): Promise<SandboxInfo>;
  /** `reason`: why, when it is not a caller's request (the reaper's `timeout` or `idle`). */
  pause(id: string, reason?: string): Promise<SandboxInfo>;
  resume(id: string): Promise<SandboxInfo>;
  delete(id: string): Promise<void>;
  setTimeout(id: string, timeoutSec: number): SandboxInfo;
  /** The usage journal after a cursor (which it acknowledges). */
  events(after: number, limit: number): JournalPage;
  /** Records activity (exec, pty input, files, port traffic) for the idle timeout. */
  touch(id: string): void;
  /** Agent of a running sandbox (409 when paused or stopped). */
  agent(id: string): AgentClient;
  /** Agent for file operations: the live one when running, a chrooted one-shot when stopped. */
  filesAgent(id: string): Promise<{ agent: AgentClient; release: () => Promise<void> }>;
  /** Called after a sandbox stops or is deleted, by any path (API, timeouts, idle reaper). */
  onStopped?(listener: (id: string) => void): void;
  /** Runner-private dir of a sandbox for the runner's own records (never visible inside it). */
  stateDir(id: string): string;
  /** /proc/<pid>/ns/net of a running sandbox, to reach its ports. */
  netnsPath(id: string): string;
  metrics(id: string, sinceMs?: number): Promise<SandboxMetrics>;
  capacity(): Capacity;
  createSnapshot(sandboxId: string, name?: string, id?: string): Promise<SnapshotInfo>;
  listSnapshots(): SnapshotInfo[];
  getSnapshot(id: string): SnapshotInfo;
  deleteSnapshot(id: string): Promise<void>;
  snapshotFilesAgent(id: string): Promise<{ agent: AgentClient; release: () => Promise<void> }>;
}
