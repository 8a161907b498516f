import fs from 'node:fs';
import path from 'node:path';
import { isMountPoint } from '../runtime/disk';
import { run } from '../runtime/exec-file';
import type { CaMaterial } from '../runtime/sandbox-ca';
import type { RunnerDirs } from './paths';
import type { EgressSecret } from './types';

/** What the runner holds for one running sandbox: its secrets in clear and its egress CA's key. */
export type HeldSecrets = {
  env: Record<string, string>;
  /** Egress-only secrets as they are now (values and hosts follow rotations at once). */
  egress: EgressSecret[];
  /** NAME → placeholder, fixed for this boot (the sandbox's environment does not change under it). */
  placeholders: Record<string, string>;
  ca: CaMaterial | null;
};

/**
 * Secret values for running sandboxes, kept where they survive a runner restart (running
 * sandboxes keep their env secrets for new commands, and the egress proxy its values and CA)
 * but never reach a disk: one file per sandbox on a tmpfs of the runner's own
 * (`<run dir>/secrets`, mode 0700, mounted at start-up whatever the run dir is on), removed when
 * the sandbox stops or is deleted, gone with a host reboot (when the sandboxes are gone too; the
 * console resolves secrets again at every start). Records, journals and logs never hold a value.
 * Root on the host can read it, as it can read the runner's memory: see README, Threat model.
 */
export class SecretStore {
  private held = new Map<string, HeldSecrets>();
  readonly dir: string;

  constructor(dirs: RunnerDirs) {
    this.dir = path.join(dirs.runDir, 'secrets');
  }

  async init(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!(await isMountPoint(this.dir))) {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=256m,nr_inodes=8192,mode=0700,nosuid,nodev,noexec', 'warren-secrets', this.dir]);
    }
    fs.chmodSync(this.dir, 0o700);
  }

  private file(key: string) {
    return path.join(this.dir, `${key}.json`);
  }

  get(key: string): HeldSecrets | undefined {
    let h = this.held.get(key);
    if (!h) {
      try {
        h = JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as HeldSecrets;
        this.held.set(key, h);
      } catch {
        return undefined;
      }
    }
    return h;
  }

  set(key: string, h: HeldSecrets): void {
    const tmp = `${this.file(key)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(h), { mode: 0o600 });
    fs.renameSync(tmp, this.file(key));
    this.held.set(key, h);
  }

  drop(key: string): void {
    this.held.delete(key);
    fs.rmSync(this.file(key), { force: true });
  }

  /** Removes what no live sandbox accounts for (a runner killed during a stop). */
  sweep(live: Set<string>): void {
    for (const name of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
      const key = name.replace(/\.json(\.tmp)?$/, '');
      if (!live.has(key) || name.endsWith('.tmp')) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }
}
