import { RunnerError } from '@/lib/runner-client';
import type { SandboxState } from '@/runner/sandbox/types';

/**
 * What the battery's "user" was told by the runner: only acknowledged answers go in. After a
 * kill, whatever was in flight is uncertain (it may or may not have happened) and the restarted
 * runner's word is taken for it, as long as that word is itself consistent; anything the
 * runner acknowledged must have survived the crash.
 */
export type SandboxModel = {
  id: string;
  /** null while an action on it is unanswered: either outcome is acceptable. */
  state: SandboxState | null;
  /** A create that was not answered: the sandbox may or may not exist. */
  maybe: boolean;
  /** A delete that was not answered. */
  deleting: boolean;
  egress: boolean;
  /** The marker file's content once its write was acknowledged. */
  marker: string | null;
  /** Other acknowledged file writes: path → content. */
  files: Map<string, string>;
  /** Lines acknowledged appended to EXEC_LOG by exec. */
  execLines: string[];
  /** Acknowledged background processes and terminals (until the sandbox stops). */
  procs: Set<number>;
  ptys: Set<string>;
  /** The port a web server inside listens on (for the tunnel operation), or false. */
  listener: number | false;
};

export type SnapshotModel = { id: string; sandboxId: string; marker: string | null; maybe: boolean };

export const MARKER = '/home/user/.fault-marker';
export const EXEC_LOG = '/home/user/exec.log';

export class RunnerModel {
  readonly sandboxes = new Map<string, SandboxModel>();
  readonly snapshots = new Map<string, SnapshotModel>();
  private n = 0;

  nextId(prefix = 'f'): string {
    return `${prefix}${(++this.n).toString(36)}x${Date.now().toString(36)}`;
  }

  add(id: string, egress: boolean, maybe: boolean): SandboxModel {
    const sb: SandboxModel = { id, state: maybe ? null : 'running', maybe, deleting: false, egress, marker: null, files: new Map(), execLines: [], procs: new Set(), ptys: new Set(), listener: false };
    this.sandboxes.set(id, sb);
    return sb;
  }

  /** Sandboxes the runner surely has, optionally in one of `states`. */
  certain(states?: SandboxState[]): SandboxModel[] {
    return [...this.sandboxes.values()].filter((s) => !s.maybe && !s.deleting && s.state !== null && (!states || states.includes(s.state)));
  }

  /** Processes and terminals end when a sandbox stops (or may have stopped). */
  forgetProcesses(sb: SandboxModel): void {
    sb.procs.clear();
    sb.ptys.clear();
    sb.listener = false;
  }
}

/** Whether a failed call may have taken effect: no answer, or a server error, means maybe. */
export function uncertain(err: unknown): boolean {
  return !(err instanceof RunnerError) || err.status >= 500;
}

/**
 * Runs one acknowledged step: `before` marks what becomes uncertain while it is in flight,
 * `after` records the answer. A clear refusal (4xx) leaves the model as it was before the call.
 */
export async function step<T>(run: () => Promise<T>, hooks: { before?: () => void; after: (v: T) => void; refused?: () => void }): Promise<T> {
  hooks.before?.();
  try {
    const v = await run();
    hooks.after(v);
    return v;
  } catch (err) {
    if (!uncertain(err)) hooks.refused?.();
    throw err;
  }
}
