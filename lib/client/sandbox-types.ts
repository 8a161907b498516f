/**
 * Response shapes of the sandbox, snapshot, port and share API as the browser sees them.
 * Kept here (not imported from lib/sandboxes) so client bundles never pull in server modules.
 */
export type SandboxState = 'creating' | 'running' | 'paused' | 'stopped' | 'error' | 'deleted';

export type Sandbox = {
  id: string;
  state: SandboxState;
  desiredState: string;
  reason: string | null;
  template: string;
  snapshotId: string | null;
  cpu: number;
  memoryMb: number;
  diskMb: number;
  network: { mode: 'none' | 'egress'; allow?: string[]; ports?: number[] } | null;
  metadata: Record<string, string> | null;
  timeoutSec: number;
  idleTimeoutSec: number;
  expiresAt: string | null;
  lastActivityAt: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  /** Cost so far in micro-dollars (1,000,000 = $1). */
  costMicros: number;
};

export type SandboxPage = { sandboxes: Sandbox[]; nextCursor: string | null };

export type Snapshot = {
  id: string;
  name: string | null;
  sandboxId: string | null;
  sizeBytes: number;
  createdAt: string;
};

export type Template = { id: string; name: string; description: string; default: boolean };

export type FileEntry = {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: string;
  mtime: string;
  target?: string;
};

export type Port = { port: number; public: boolean; url: string; createdAt: string };

export type Metrics = { cpuSeconds: number; memoryBytes: number; diskBytes: number; pids: number };

export type ExecLogEntry = {
  id: string;
  cmd: string;
  exitCode: number | null;
  durationMs: number | null;
  createdAt: string;
};

export type Share = {
  id: string;
  sandboxId: string | null;
  template: string | null;
  mode: 'rw' | 'ro';
  label: string | null;
  maxConcurrent: number | null;
  sandboxTimeoutSec: number | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdBy: string | null;
  createdAt: string;
};

export type CreatedShare = { share: Share; url: string; snippet: string };

export type RunnerHealth =
  | { state: 'ready' }
  | { state: 'starting' }
  | { state: 'unavailable'; problems: Array<{ what: string; fix: string }> };
