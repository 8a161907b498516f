/**
 * Wire types of the runner API, shared by the runner's handlers and this client. Sandbox and
 * snapshot shapes come from the runner core as types only: no runner code is loaded into lib/.
 */
import type {
  Capacity,
  CreateSandboxInput,
  EgressSecret,
  SandboxInfo,
  SandboxSecretsInfo,
  SandboxSecretsInput,
  SandboxMetrics,
  SandboxUser,
  SnapshotInfo,
} from '@/runner/sandbox/types';

export type { Capacity, CreateSandboxInput, EgressSecret, SandboxInfo, SandboxSecretsInfo, SandboxSecretsInput, SandboxMetrics, SandboxUser, SnapshotInfo };
export type { JournalEvent, JournalPage, JournalState } from '@/runner/sandbox/journal-types';

export type HealthInfo = { ok: true; version: string };

export type ExecRequest = {
  cmd: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** UTF-8 text for stdin; use stdinBase64 for bytes. */
  stdin?: string;
  stdinBase64?: string;
  /** Default 60, max 3600. */
  timeoutSec?: number;
  user?: SandboxUser;
};

export type ExecResult = {
  exitCode: number | null;
  /** Signal name when the process was killed by one (e.g. SIGKILL on timeout). */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The exact bytes, only when they are not valid UTF-8 (binary output). */
  stdoutBase64?: string;
  stderrBase64?: string;
  durationMs: number;
  timedOut: boolean;
  /** True when stdout or stderr hit the runner's output cap and was cut. */
  truncated: boolean;
};

export type ExecEvent =
  | { type: 'start'; pid: number }
  | { type: 'stdout'; data: string }
  | { type: 'stderr'; data: string }
  | { type: 'exit'; exitCode: number | null; signal: string | null; durationMs: number; timedOut: boolean }
  /** The command's fate is unknown (the sandbox stopped mid-command); no exit follows. */
  | { type: 'error'; message: string };

export type ProcessRequest = {
  cmd: string[];
  cwd?: string;
  env?: Record<string, string>;
  user?: SandboxUser;
  tag?: string;
  /** Keep stdin open for later writes (processes.input). */
  stdin?: boolean;
};

export type ProcessInfo = {
  pid: number;
  cmd: string[];
  tag: string | null;
  startedAt: string;
  running: boolean;
  exitCode?: number | null;
  signal?: string | null;
};

/** Events on a background process's output stream (replay first, then live). */
export type ProcessOutputEvent =
  | { type: 'stdout'; data: string }
  | { type: 'stderr'; data: string }
  | { type: 'exit'; exitCode: number | null; signal: string | null }
  /** The runner lost the process without an exit status (sandbox stopped, runner shutting down). */
  | { type: 'detached' };

/** The first event of a process started and followed in one call (processes.startFollow). */
export type ProcessStartEvent = { type: 'start'; pid: number; cmd: string[]; startedAt: string };

/** What a directory watch streams; kinds and their order are E2B's EventType. */
export type FileWatchKind = 'create' | 'write' | 'remove' | 'rename' | 'chmod';
export type FileWatchLine =
  | { type: 'start' }
  | { type: 'event'; kind: FileWatchKind; name: string }
  | { type: 'error'; code: string; message: string };

/** Signals the runner delivers to a process group (E2B's SendSignal sends SIGTERM or SIGKILL). */
export type ProcessSignal = 'SIGTERM' | 'SIGKILL' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2';

export type PtyCreateRequest = {
  cols: number;
  rows: number;
  /** The program and its arguments (E2B's `cmd`); the user's login shell when absent. */
  cmd?: string[];
  cwd?: string;
  env?: Record<string, string>;
  user?: SandboxUser;
};

export type PtySessionInfo = {
  sessionId: string;
  pid: number;
  /** The program it runs when not the login shell. */
  cmd?: string[];
  cols: number;
  rows: number;
  createdAt: string;
  viewers: number;
  exited: boolean;
  exitCode: number | null;
};

/** Text frames the runner sends to terminal viewers. */
export type PtyServerMessage = { type: 'exit'; exitCode: number | null; signal: string | null };
/** Text frames a viewer may send. Binary frames are keystrokes. */
export type PtyClientMessage = { type: 'resize'; cols: number; rows: number };

export type FileType = 'file' | 'dir' | 'symlink' | 'other';

export type FileEntry = {
  name: string;
  path: string;
  type: FileType;
  size: number;
  /** Permission bits as an octal string, e.g. "0644". */
  mode: string;
  mtime: string;
  /** Link target, for symlinks. */
  target?: string;
};

export type FileWriteOptions = { mode?: string; parents?: boolean; user?: SandboxUser };
export type FileWriteResult = { path: string; size: number };

export type RunnerErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };
