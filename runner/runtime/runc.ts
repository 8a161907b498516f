import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { run } from './exec-file';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/**
 * The OCI runtime CLI (runc by default; crun, runsc and kata-runtime take the same verbs).
 * State lives under our own --root so Warren's containers never mix with anyone else's.
 */
export class OciRuntime {
  constructor(
    readonly binary: string,
    readonly root: string,
  ) {}

  protected args(...rest: string[]): string[] {
    return ['--root', this.root, ...rest];
  }

  /** Starts the container detached. Its stdio goes to `logFile` — never to pipes we hold,
   * or the container would keep them open and the runtime call would never finish.
   * With `socket`, the mount helper first binds a fresh unix socket in that (root-only) dir and
   * the container's init inherits it as fd 3 (`--preserve-fds 1`). */
  async run(id: string, bundle: string, logFile: string, socket?: { helper: string; dir: string; name: string }): Promise<void> {
    const runArgs = socket
      ? this.args('run', '-d', '--preserve-fds', '1', '--bundle', bundle, id)
      : this.args('run', '-d', '--bundle', bundle, id);
    const [bin, argv] = socket ? [socket.helper, ['sockexec', socket.dir, socket.name, this.binary, ...runArgs]] : [this.binary, runArgs];
    await this.spawnLogged(bin, argv, logFile);
  }

  protected async spawnLogged(bin: string, argv: string[], logFile: string): Promise<void> {
    const log = fs.openSync(logFile, 'a');
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(bin, argv, { stdio: ['ignore', log, log] });
        child.once('error', reject);
        child.once('exit', (code) => {
          if (code === 0) return resolve();
          const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
          reject(new Error(`${this.binary} run failed (exit ${code}): ${tail}`));
        });
      });
    } finally {
      fs.closeSync(log);
    }
  }

  async state(id: string): Promise<{ status: ContainerStatus; pid: number } | null> {
    try {
      const out = await run(this.binary, this.args('state', id));
      const s = JSON.parse(out) as { status: ContainerStatus; pid: number };
      return { status: s.status, pid: s.pid };
    } catch {
      return null;
    }
  }

  async list(): Promise<Array<{ id: string; status: ContainerStatus; pid: number }>> {
    try {
      const out = await run(this.binary, this.args('list', '--format', 'json'));
      return ((JSON.parse(out) as Array<{ id: string; status: ContainerStatus; pid: number }> | null) ?? []).map((c) => ({
        id: c.id,
        status: c.status,
        pid: c.pid,
      }));
    } catch {
      return [];
    }
  }

  async kill(id: string, signal = 'KILL'): Promise<void> {
    await run(this.binary, this.args('kill', '--all', id, signal)).catch(() => {});
  }

  async delete(id: string): Promise<void> {
    await run(this.binary, this.args('delete', '--force', id)).catch(async (err) => {
      if (await this.state(id)) throw err;
    });
  }

  pause(id: string): Promise<string> {
    return run(this.binary, this.args('pause', id));
  }

  resume(id: string): Promise<string> {
    return run(this.binary, this.args('resume', id));
  }

  /** Whether `update` can resize a running container (the warm pool's claim needs it). */
  readonly canUpdate: boolean = true;

  update(id: string, r: { memoryBytes: number; cpuQuota: number; cpuPeriod: number; pids: number }): Promise<string> {
    return run(
      this.binary,
      this.args(
        'update',
        '--memory', String(r.memoryBytes),
        '--memory-swap', String(r.memoryBytes),
        '--cpu-quota', String(r.cpuQuota),
        '--cpu-period', String(r.cpuPeriod),
        '--pids-limit', String(r.pids),
        id,
      ),
    );
  }
}
