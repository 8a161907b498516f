/**
 * Response shapes of the sandbox, snapshot, port and share API as the browser sees them.
 * Kept here (not imported from lib/sandboxes) so client bundles never pull in server modules.
 */
export type SandboxState = 'creating' | 'running' | 'paused' | 'stopped' | 'error' | 'deleted';

export type Sandbox = {
  id: string;
  /** Optional, unique among the org's live sandboxes. */
  name?: string | null;
  state: SandboxState;
  desiredState: string;
  reason: string | null;
  template: string;
  /** `container` (runc) or `gvisor` (README: Isolation levels). */
  isolation: 'container' | 'gvisor';
  snapshotId: string | null;
  cpu: number;
  memoryMb: number;
  diskMb: number;
  network: { mode: 'none' | 'egress'; allow?: string[]; ports?: number[] } | null;
  metadata: Record<string, string> | null;
  /** The demo link that made this sandbox for one of its visitors. */
  shareId?: string | null;
  /** Names of the org's secrets it gets (never values). */
  secrets?: string[];
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

export type BuildSummary = {
  id: string;
  version: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  imageDigest: string | null;
  sizeBytes: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};
/** GET /api/v1/templates (lib/templates/templates.ts TemplateView). */
export type Template = {
  id: string;
  name: string;
  description: string;
  default: boolean;
  builtin: boolean;
  public: boolean;
  source:
    | { type: 'host' }
    | { type: 'image'; image: string }
    | { type: 'snapshot'; snapshotId: string }
    | { type: 'recipe'; from: string; dockerfile: string | null; steps: unknown[] | null; context: { sha256: string; bytes: number } | null }
    | { type: 'debian'; suite: string; variant: string; include: string[] };
  registryAuth: { username: string; passwordSecret: string } | null;
  startCommand: boolean;
  readyCommand: string | null;
  readyTimeoutSec: number;
  /** Its sandboxes' level when a create names none; null: the org default. */
  isolation: 'container' | 'gvisor' | null;
  status: 'building' | 'ready' | 'failed';
  currentBuild: BuildSummary | null;
  lastBuild: BuildSummary | null;
  sizeBytes: number | null;
  usedBy: { sandboxes: number; shares: number };
  createdBy: string | null;
  createdAt: string | null;
};
export type TemplateBuild = Omit<BuildSummary, 'error'> & {
  templateId: string;
  image: string;
  runnerId: string;
  log: string;
  error: { code: string; message: string } | null;
  startedAt: string | null;
};

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

export type MetricsSample = { at: string; cpuPercent: number; memoryBytes: number };
export type Metrics = { cpuSeconds: number; memoryBytes: number; diskBytes: number; pids: number; recent: MetricsSample[] };

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
  /** A demo link's level for each visitor's sandbox; null: the template's or the org default. */
  isolation?: 'container' | 'gvisor' | null;
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
