import { BASE_LAYER } from '../runtime/template';
import { run } from '../runtime/exec-file';
import { DEFAULT_RESOURCES } from './defaults';
import { hostnameFor } from './lifecycle';
import type { LocalSandboxManager } from './local-manager';
import type { SandboxRecord } from './store';
import type { SandboxResources } from './types';

/**
 * Pre-started sandboxes of the default template, so a create is a rename plus a resource
 * update instead of a container start. Pool members are ordinary records flagged `pooled`
 * (they survive runner restarts like any sandbox) and are refilled in the background.
 */
export class WarmPool {
  private filling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly m: LocalSandboxManager,
    private readonly size: number,
  ) {}

  ready(): number {
    return this.members().length;
  }

  private members(): SandboxRecord[] {
    return this.m.table.all().filter((r) => r.pooled && r.state === 'running');
  }

  /** Hands out a pool member as sandbox `id` when one fits the requested disk size. */
  async claim(id: string, resources: SandboxResources): Promise<SandboxRecord | undefined> {
    if (resources.diskMb !== DEFAULT_RESOURCES.diskMb) return undefined;
    const rec = this.members()[0];
    if (!rec) {
      void this.fill();
      return undefined;
    }
    rec.pooled = false; // taken synchronously: no other create can claim it
    rec.state = 'creating'; // until create() has written its configuration (see create)
    this.m.table.rename(rec, id);
    await this.m.lock.run(rec.key, async () => {
      try {
        if (resources.cpu !== rec.resources.cpu || resources.memoryMb !== rec.resources.memoryMb) {
          await this.m.applyResources(rec, resources);
        }
        // The host name is set while the answer travels back: the agent's first connection
        // waits for it (LocalManager.agent), so no command can see the pool name, and the
        // create no longer waits on the nsenter spawn (~10 ms here).
        this.m.holdAgentUntil(rec.key, this.rename(rec));
      } catch (err) {
        await this.m.destroy(rec).catch(() => {});
        throw err;
      }
    });
    void this.fill();
    return rec;
  }

  /**
   * The member booted with its pool key as host name (`sb-pool…`); it now answers to the id it
   * was handed. Set from the host in the sandbox's own UTS namespace (nothing of the sandbox's
   * runs, so nothing in it can interfere) before any command reaches its agent; a later boot of
   * the same record takes the name from its spec. Processes started later (shells, exec) read
   * the new name; /etc/hostname inside stays the template's.
   */
  private async rename(rec: SandboxRecord): Promise<void> {
    const pid = this.m.liveInitPid(rec);
    try {
      if (!pid) throw new Error('its init process is gone');
      await run('nsenter', [`--uts=/proc/${pid}/ns/uts`, '--', 'hostname', hostnameFor(rec.id)]);
    } catch (err) {
      // A wrong host name is cosmetic: the sandbox is still the caller's, so it is not failed.
      this.m.log.warn({ err: (err as Error).message, sandbox: rec.id }, 'could not set the host name of a claimed pool member');
    }
  }

  fill(): Promise<void> {
    if (this.filling || this.stopped || this.size === 0) return this.filling ?? Promise.resolve();
    const run = async () => {
      try {
        while (!this.stopped && this.ready() < this.size && this.hasRoom()) {
          const key = `pool${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
          await this.m.createCold(key, [BASE_LAYER], { ...DEFAULT_RESOURCES }, true);
        }
      } catch (err) {
        this.m.log.warn({ err: (err as Error).message }, 'warm pool could not start a sandbox');
      }
    };
    // Cleared in a .finally, which always runs after this assignment: a `finally` inside `run`
    // runs synchronously when the pool is already full, before the assignment, and then left
    // `filling` set for good, so the pool never refilled after a restart that found it full.
    const filling = run().finally(() => {
      if (this.filling === filling) this.filling = undefined;
    });
    this.filling = filling;
    return filling;
  }

  async stopFilling(): Promise<void> {
    this.stopped = true;
    await this.filling;
  }

  private hasRoom(): boolean {
    return this.m.table.all().length < this.m.cfg.maxSandboxes + this.size;
  }
}
