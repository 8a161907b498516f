import { BASE_LAYER } from '../runtime/template';
import { run } from '../runtime/exec-file';
import { hostnameLater, type PendingHostname } from '../runtime/hostname-later';
import { DEFAULT_RESOURCES } from './defaults';
import { hostnameFor } from './lifecycle';
import type { LocalSandboxManager } from './local-manager';
import type { SandboxRecord } from './store';
import type { SandboxResources } from './types';

/**
 * After a claim, the refill waits until claims have paused this long (while a member is left):
 * its mounts and runc calls are a dozen process starts, which on a small host compete with the
 * claimed sandbox's first commands for the CPUs and for the runner's event loop (Node forks
 * every child from it).
 */
export const REFILL_QUIET_MS = 200;
/** However busy claims keep the pool, a refill never waits longer than this for a pause. */
const REFILL_MAX_WAIT_MS = 1000;

/**
 * Pre-started sandboxes of the default template, so a create is a rename plus a resource
 * update instead of a container start. Pool members are ordinary records flagged `pooled`
 * (they survive runner restarts like any sandbox) and are refilled in the background.
 */
export class WarmPool {
  private filling: Promise<void> | undefined;
  private stopped = false;
  private lastClaimAt = 0;
  private refillTimer: NodeJS.Timeout | undefined;
  /** Per member key: a helper already in its UTS namespace, waiting for the name it is claimed as. */
  private renamers = new Map<string, PendingHostname>();
  /** Helpers whose namespace was checked to be their member's after they entered it (armRenames). */
  private verified = new WeakSet<PendingHostname>();

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
    this.lastClaimAt = Date.now();
    const renamer = this.renamers.get(rec.key);
    this.renamers.delete(rec.key);
    this.m.table.rename(rec, id);
    await this.m.lock.run(rec.key, async () => {
      try {
        if (resources.cpu !== rec.resources.cpu || resources.memoryMb !== rec.resources.memoryMb) {
          await this.m.applyResources(rec, resources);
        }
        // The host name is set while the answer travels back: the agent's first connection
        // waits for it (LocalManager.agent), so no command can see the pool name, and the
        // create never waits on it.
        this.m.holdAgentUntil(rec.key, this.rename(rec, renamer));
      } catch (err) {
        renamer?.cancel();
        await this.m.destroy(rec).catch(() => {});
        throw err;
      }
    });
    this.refillSoon();
    return rec;
  }

  /** A refill once claims pause (see REFILL_QUIET_MS), at once when the pool ran dry. */
  private refillSoon(): void {
    if (this.ready() === 0) return void this.fill();
    if (this.refillTimer) return;
    // A running fill paces itself (untilClaimsPause); one that just passed its last check must
    // still be followed by a refill.
    if (this.filling) return void this.filling.then(() => this.refillSoon());
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      void this.fill();
    }, REFILL_QUIET_MS);
    this.refillTimer.unref();
  }

  /** Resolves once no claim happened for REFILL_QUIET_MS (or the pool ran dry, or 1 s passed). */
  async untilClaimsPause(): Promise<void> {
    const deadline = Date.now() + REFILL_MAX_WAIT_MS;
    for (;;) {
      const wait = Math.min(this.lastClaimAt + REFILL_QUIET_MS, deadline) - Date.now();
      if (wait <= 0 || this.stopped || this.ready() === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
  }

  /**
   * Starts each ready member's host-name helper (in the background, off any claim's path), and
   * lets go of helpers whose member is no longer in the pool unclaimed.
   */
  private armRenames(): void {
    const members = this.members();
    const keys = new Set(members.map((r) => r.key));
    for (const [key, pending] of this.renamers) {
      if (keys.has(key)) continue;
      pending.cancel();
      this.renamers.delete(key);
    }
    for (const rec of members) {
      if (this.renamers.has(rec.key)) continue;
      const pid = this.m.liveInitPid(rec);
      if (!pid) continue; // claim falls back to a one-off nsenter
      const pending = hostnameLater(this.m.deps.mountHelper, pid);
      this.renamers.set(rec.key, pending);
      // The namespace is opened by pid: once it is entered, the pid must still be the member's
      // init (a pid is not reused while its process lives), else the helper is dropped.
      pending.ready.then(
        () => {
          if (this.m.liveInitPid(rec) === pid) return void this.verified.add(pending);
          pending.cancel();
          if (this.renamers.get(rec.key) === pending) this.renamers.delete(rec.key);
        },
        (err) => {
          this.m.log.warn({ err: (err as Error).message, sandbox: rec.id }, 'could not prepare the host name of a pool member');
          if (this.renamers.get(rec.key) === pending) this.renamers.delete(rec.key);
        },
      );
    }
  }

  /**
   * The member booted with its pool key as host name (`sb-pool…`); it now answers to the id it
   * was handed. Set from the host in the sandbox's own UTS namespace (nothing of the sandbox's
   * runs, so nothing in it can interfere) before any command reaches its agent; a later boot of
   * the same record takes the name from its spec. Processes started later (shells, exec) read
   * the new name; /etc/hostname inside stays the template's.
   */
  private async rename(rec: SandboxRecord, prepared: PendingHostname | undefined): Promise<void> {
    // Only a helper whose namespace was checked to be this member's once it had entered it: one
    // still opening /proc/PID/ns/uts could, were the pid reused meanwhile, be in someone else's.
    if (prepared && !this.verified.has(prepared)) {
      prepared.cancel();
      prepared = undefined;
    }
    if (prepared) {
      try {
        return await prepared.set(hostnameFor(rec.id));
      } catch (err) {
        this.m.log.warn({ err: (err as Error).message, sandbox: rec.id }, 'the prepared host name helper failed; using nsenter');
      }
    }
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
        this.armRenames(); // members a restart adopted
        while (!this.stopped && this.ready() < this.size && this.hasRoom()) {
          await this.untilClaimsPause();
          if (this.stopped) break;
          const key = `pool${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
          await this.m.createCold(key, [BASE_LAYER], { ...DEFAULT_RESOURCES }, true);
          this.armRenames();
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
    clearTimeout(this.refillTimer);
    await this.filling;
    for (const pending of this.renamers.values()) pending.cancel();
    this.renamers.clear();
  }

  private hasRoom(): boolean {
    return this.m.table.all().length < this.m.cfg.maxSandboxes + this.size;
  }
}
