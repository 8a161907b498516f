import fs from 'node:fs';
import path from 'node:path';
import { isMountPoint, unmount } from '../runtime/disk';
import { run } from '../runtime/exec-file';
import type { Pool } from './btrfs-pool';
import type { DiskMountPlan, WritableLayerStore } from './types';

/**
 * A subvolume per sandbox in the btrfs pool, `sandboxes/<key>`, holding the overlay's `upper/`
 * and `work/` and the runner's logs of it. Files are stored under canonical ids (0..65535, as in
 * the layer store) and reach the overlay through an id-mapped, nosuid, nodev mount into the
 * sandbox's own uid range, so a fork can run under another range without touching a file.
 * The disk limit is a quota group limit on what the subvolume references: past it, writes
 * inside fail with EDQUOT. Snapshots are read-only snapshots, `snapshots/<id>`, made in one
 * btrfs transaction; a fork is a writable snapshot of one. Neither copies any data.
 *
 * Crash safety: a subvolume appears whole or not at all (one ioctl), and the runner's records
 * decide what is kept: `reconcile` removes any subvolume that no record names.
 */
export class BtrfsLayerStore implements WritableLayerStore {
  readonly kind = 'btrfs' as const;
  /** Subvolume ids (for the quota group's usage in sysfs), by path. */
  private ids = new Map<string, number>();

  constructor(
    readonly pool: Pool,
    private readonly helpers: { mount: string; btrfs: string },
  ) {}

  sandboxDir(key: string) {
    return path.join(this.pool.root, 'sandboxes', key);
  }

  snapshotDir(id: string) {
    return path.join(this.pool.root, 'snapshots', id);
  }

  /** A snapshot's upper dir: the read-only layer its files are browsed from. */
  snapshotUpper(id: string) {
    return path.join(this.snapshotDir(id), 'upper');
  }

  async create(key: string, sizeMb: number): Promise<void> {
    const dir = this.sandboxDir(key);
    await this.made(dir, run(this.helpers.btrfs, ['create', '--limit-mb', String(sizeMb), dir]));
    // Canonical root's, as the sandbox sees them through the id-mapped mount: its own root's.
    fs.mkdirSync(path.join(dir, 'upper'), { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'work'), { mode: 0o700 });
  }

  /** Remembers the id warren-btrfs printed for a new subvolume. */
  private async made(dir: string, out: Promise<string>): Promise<void> {
    this.ids.set(dir, Number((await out).trim()));
  }

  /** A writable snapshot of snapshot `snapshotId` as sandbox `key`'s layer. */
  async fork(snapshotId: string, key: string, sizeMb: number): Promise<void> {
    const dir = this.sandboxDir(key);
    await this.made(dir, run(this.helpers.btrfs, ['snapshot', '--limit-mb', String(sizeMb), this.snapshotDir(snapshotId), dir]));
    // The parent's logs and overlay work files are not the fork's (all runner-made: nothing the
    // sandbox wrote lives outside upper/).
    for (const name of fs.readdirSync(dir)) if (name !== 'upper') fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'work'), { mode: 0o700 });
  }

  async attach(p: DiskMountPlan): Promise<void> {
    fs.mkdirSync(p.diskMount, { recursive: true, mode: 0o711 });
    if (await isMountPoint(p.diskMount)) return;
    await run(this.helpers.mount, ['idmap', '--rw', '--uid-base', String(p.uidBase), '--count', String(p.uidCount), this.sandboxDir(p.key), p.diskMount]);
  }

  detach(diskMount: string): Promise<void> {
    return unmount(diskMount);
  }

  async resize(key: string, sizeMb: number): Promise<void> {
    await run('btrfs', ['qgroup', 'limit', `${sizeMb}M`, this.sandboxDir(key)]);
  }

  /**
   * Quota groups are counted when btrfs commits a transaction (every 30 s by default), so bytes
   * just written read as nothing until then: a commit first, at most once a second per sandbox,
   * for callers that decide on the figure (metrics, which the snapshot quota check reads).
   */
  async settle(key: string): Promise<void> {
    const last = this.settledAt.get(key) ?? 0;
    if (Date.now() - last < 1000) return;
    await run('btrfs', ['filesystem', 'sync', this.sandboxDir(key)]);
    this.settledAt.set(key, Date.now());
  }
  private readonly settledAt = new Map<string, number>();

  usedBytes(key: string): number {
    return this.referenced(this.sandboxDir(key));
  }

  /** Bytes a subvolume references (shared with snapshots or not), from its quota group. */
  referenced(dir: string): number {
    const id = this.ids.get(dir);
    if (id === undefined) return 0;
    try {
      return Number(fs.readFileSync(path.join(this.pool.sysfs, 'qgroups', `0_${id}`, 'referenced'), 'utf8'));
    } catch {
      return 0;
    }
  }

  async remove(key: string): Promise<void> {
    this.settledAt.delete(key);
    await this.deleteSubvolume(this.sandboxDir(key));
  }

  /**
   * A read-only snapshot of sandbox `key`'s layer. With `freezer` (a running sandbox's cgroup),
   * its tasks are frozen for just the ioctl, so no write is half in it; btrfs flushes the
   * subvolume's dirty data inside the ioctl, so whatever was written before is in it.
   */
  async snapshot(key: string, snapshotId: string, freezer?: string): Promise<number> {
    const dir = this.snapshotDir(snapshotId);
    const freeze = freezer ? ['--freeze', freezer] : [];
    await this.made(dir, run(this.helpers.btrfs, ['snapshot', '--ro', ...freeze, this.sandboxDir(key), dir]));
    return this.usedBytes(key);
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.deleteSubvolume(this.snapshotDir(snapshotId));
  }

  /**
   * Space comes back once btrfs's cleaner has dropped the subvolume, in the background; its
   * quota group goes with it (newer kernels do that themselves, clear-stale covers older ones).
   */
  private async deleteSubvolume(dir: string): Promise<void> {
    if (!fs.existsSync(dir)) return;
    const id = this.ids.get(dir) ?? (await this.rootId(dir).catch(() => undefined));
    await run('btrfs', ['subvolume', 'delete', dir]);
    this.ids.delete(dir);
    if (id !== undefined) {
      // These wait on the cleaner for seconds, holding the pool open: they end with the runner
      // (an orphaned one kept the pool busy, so it could not be unmounted after the runner
      // stopped). A stale group they did not clear is cleared by the next delete's.
      void run('btrfs', ['subvolume', 'sync', this.pool.root, String(id)], { endsWithRunner: true })
        .then(() => run('btrfs', ['qgroup', 'clear-stale', this.pool.root], { endsWithRunner: true }))
        .catch(() => {});
    }
  }

  /**
   * At start: every subvolume that no record names goes (a create or snapshot cut short before
   * its record was written, a delete cut short after), and the ids of the rest are learned.
   */
  async reconcile(keys: Set<string>, snapshotIds: Set<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const [sub, keep] of [
      ['sandboxes', keys],
      ['snapshots', snapshotIds],
    ] as const) {
      const parent = path.join(this.pool.root, sub);
      for (const name of fs.readdirSync(parent)) {
        const dir = path.join(parent, name);
        if (keep.has(name)) {
          this.ids.set(dir, await this.rootId(dir));
          continue;
        }
        await run('btrfs', ['subvolume', 'delete', dir]).catch(() => fs.rmSync(dir, { recursive: true, force: true }));
        removed.push(`${sub}/${name}`);
      }
    }
    await run('btrfs', ['qgroup', 'clear-stale', this.pool.root]).catch(() => {});
    return removed;
  }

  private async rootId(dir: string): Promise<number> {
    return Number((await run('btrfs', ['inspect-internal', 'rootid', dir])).trim());
  }
}
