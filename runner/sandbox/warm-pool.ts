import { BASE_LAYER } from '../runtime/template';
import { DEFAULT_RESOURCES } from './defaults';
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
      } catch (err) {
        await this.m.destroy(rec).catch(() => {});
        throw err;
      }
    });
    void this.fill();
    return rec;
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
