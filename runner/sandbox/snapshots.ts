import fs from 'node:fs';
import path from 'node:path';
import { AgentClient } from '@/runner/agent/client';
import { AppError, conflict, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { isMountPoint, mountDisk, mountsUnder, unmount } from '../runtime/disk';
import { freezerDir } from '../runtime/cgroups';
import { run } from '../runtime/exec-file';
import { prepareRunDir } from '../runtime/mounts';
import { nowIso } from './defaults';
import { cgroupsPathFor } from './lifecycle';
import { faultPoint } from './fault-point';
import type { LocalSandboxManager } from './local-manager';
import { sandboxPaths, UID_COUNT } from './paths';
import { readJsonDir, type SandboxRecord, type SnapshotRecord, writeJsonAtomic } from './store';
import type { SnapshotInfo } from './types';

/**
 * A snapshot freezes a sandbox's writable layer. In the btrfs pool it is a read-only subvolume
 * snapshot (O(1): nothing copied), and a fork is a writable snapshot of that (BtrfsLayerStore).
 * For a sandbox on an ext4 image it is a shared read-only layer (its files copied once,
 * ownership shifted back to canonical ids) that forks stack under a fresh upper dir.
 */
export class SnapshotStore {
  private byId = new Map<string, SnapshotRecord>();
  private browseMounts = new Map<string, number>();
  /** Ids being created right now: a second create with the same id must not share its layer dir. */
  private creating = new Set<string>();

  constructor(private readonly m: LocalSandboxManager) {}

  private file(id: string) {
    return path.join(this.m.paths.snapshotsDir, `${id}.json`);
  }

  private journal(snap: SnapshotRecord) {
    this.m.meter.snapshot(snap.id, snap.sandboxId, 'created', snap.sizeBytes);
    writeJsonAtomic(this.file(snap.id), { ...snap, journaled: true });
  }

  load() {
    for (const s of readJsonDir<SnapshotRecord & { journaled?: boolean }>(this.m.paths.snapshotsDir)) {
      const { journaled, ...snap } = s;
      this.byId.set(s.id, snap);
      if (journaled === false) this.journal(snap);
    }
    // Copies interrupted by a crash, and layers whose snapshot record never got written.
    const known = new Set([...this.byId.values()].map((s) => s.layers[0]));
    for (const name of fs.existsSync(this.m.paths.layersDir) ? fs.readdirSync(this.m.paths.layersDir) : []) {
      if (name.startsWith('snap-') && (name.endsWith('.tmp') || !known.has(name))) {
        fs.rmSync(path.join(this.m.paths.layersDir, name), { recursive: true, force: true });
      }
    }
  }

  /**
   * Browse mounts left by a runner that died while someone read a snapshot: nobody reads them
   * now, and nothing else would ever unmount them. Only emptied mount points are removed.
   */
  async unmountStale(): Promise<void> {
    const root = path.join(this.m.cfg.dirs.runDir, 'snap');
    for (const mnt of (await mountsUnder(root)).sort((a, b) => b.length - a.length)) await unmount(mnt);
    for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      try {
        fs.rmdirSync(path.join(root, name));
      } catch {}
    }
  }

  /** Ids of the snapshots that are subvolumes in the btrfs pool. */
  btrfsIds(): Set<string> {
    return new Set([...this.byId.values()].filter((s) => s.storage === 'btrfs').map((s) => s.id));
  }

  /** Where a layer of a snapshot's stack is: a btrfs snapshot's upper dir, or the layer store. */
  private layerPath(layerId: string): string {
    const snap = layerId.startsWith('snap-') ? this.byId.get(layerId.slice(5)) : undefined;
    if (snap?.storage === 'btrfs' && this.m.storage.btrfs) return this.m.storage.btrfs.snapshotUpper(snap.id);
    return path.join(this.m.paths.layersDir, layerId);
  }

  get(id: string): SnapshotRecord {
    const s = this.byId.get(id);
    if (!s) throw notFound('Snapshot');
    return s;
  }

  info(id: string): SnapshotInfo {
    const s = this.get(id);
    return { ...strip(s), usedBy: this.usersOf(s.layers[0]!) };
  }

  list(): SnapshotInfo[] {
    return [...this.byId.keys()].map((id) => this.info(id));
  }

  /** Sandboxes (and other snapshots) whose layer stacks include `layerId`. */
  private usersOf(layerId: string): string[] {
    const sandboxes = this.m.table.visible().filter((r) => r.layers.includes(layerId)).map((r) => r.id);
    const snapshots = [...this.byId.values()].filter((s) => s.layers[0] !== layerId && s.layers.includes(layerId)).map((s) => `snapshot:${s.id}`);
    return [...sandboxes, ...snapshots];
  }

  async create(sandboxId: string, name?: string, wanted?: string): Promise<SnapshotInfo> {
    const rec = this.m.table.get(sandboxId);
    const id = wanted ?? newId();
    if (this.byId.has(id) || this.creating.has(id)) throw conflict(`A snapshot with id ${id} already exists`);
    this.creating.add(id);
    try {
      return rec.storage === 'btrfs' ? await this.subvolumeSnapshot(rec, id, name) : await this.copy(rec, id, name);
    } finally {
      this.creating.delete(id);
    }
  }

  /**
   * A read-only subvolume snapshot of the sandbox's layer, running or not: a running sandbox is
   * frozen (cgroup freezer, by warren-btrfs) for the instant it takes, so no write is half in it.
   */
  private async subvolumeSnapshot(rec: SandboxRecord, id: string, name: string | undefined): Promise<SnapshotInfo> {
    const btrfs = this.m.storage.btrfs;
    if (!btrfs) throw new AppError('runner_unavailable', 'This sandbox lives in the btrfs pool, which is unavailable on this runner');
    const bytes = await this.m.lock.run(rec.key, async () => {
      if (this.m.table.isGone(rec)) throw notFound('Sandbox');
      if (rec.state === 'creating' || rec.state === 'error') throw conflict(`Sandbox is ${rec.state}; it cannot be snapshotted`);
      // A paused sandbox is frozen already (and stays so); a running one is frozen by the
      // helper for just the snapshot ioctl. A crash while frozen is thawed by recovery.
      const size = await btrfs.snapshot(rec.key, id, rec.state === 'running' ? freezerDir(cgroupsPathFor(rec.key)) : undefined);
      faultPoint('after-runtime-call:snapshot');
      return size;
    });
    return this.record({ id, name: name ?? null, sandboxId: rec.id, parentSnapshotId: rec.snapshotId, template: rec.template, sizeBytes: bytes, createdAt: nowIso(), layers: [`snap-${id}`, ...rec.layers], storage: 'btrfs' });
  }

  private async copy(rec: SandboxRecord, id: string, name: string | undefined): Promise<SnapshotInfo> {
    const layerId = `snap-${id}`;
    const layerDir = path.join(this.m.paths.layersDir, layerId);
    const tmp = `${layerDir}.tmp`;
    const p = sandboxPaths(this.m.cfg.dirs, rec.key);
    const bytes = await this.m.lock.run(rec.key, async () => {
      if (this.m.table.isGone(rec)) throw notFound('Sandbox'); // deleted while this waited
      if (rec.state === 'creating' || rec.state === 'error') throw conflict(`Sandbox is ${rec.state}; it cannot be snapshotted`);
      // Freeze a running sandbox while its upper dir is copied, so the snapshot is consistent.
      const freeze = rec.state === 'running';
      const wasMounted = await isMountPoint(p.diskMount);
      if (freeze) await this.m.runtimeFor(rec).pause(rec.key);
      try {
        if (!wasMounted) {
          prepareRunDir({ runDir: p.run, uidBase: rec.uidBase });
          await mountDisk(p.diskImage, p.diskMount);
        }
        fs.rmSync(tmp, { recursive: true, force: true });
        try {
          const out = await run(this.m.deps.mountHelper, ['shiftcopy', '--uid-base', String(rec.uidBase), '--count', String(UID_COUNT), p.upper, tmp]);
          fs.renameSync(tmp, layerDir);
          faultPoint('after-runtime-call:snapshot');
          return Number(out.trim()) || 0;
        } catch (err) {
          fs.rmSync(tmp, { recursive: true, force: true }); // a failed copy leaves nothing behind
          throw err;
        }
      } finally {
        if (freeze) await this.m.runtimeFor(rec).resume(rec.key);
        if (!wasMounted) await unmount(p.diskMount);
      }
    });
    return this.record({
      id,
      name: name ?? null,
      sandboxId: rec.id,
      parentSnapshotId: rec.snapshotId,
      template: rec.template,
      sizeBytes: bytes,
      createdAt: nowIso(),
      layers: [layerId, ...rec.layers],
    });
  }

  private record(snap: SnapshotRecord): SnapshotInfo {
    const { id } = snap;
    // Record, then journal, then mark journaled: a crash in between journals it at the next load.
    writeJsonAtomic(this.file(id), { ...snap, journaled: false });
    this.byId.set(id, snap);
    this.journal(snap);
    return this.info(id);
  }

  async delete(id: string): Promise<void> {
    const s = this.get(id);
    const users = this.usersOf(s.layers[0]!);
    if (users.length) throw conflict(`Snapshot is in use by ${users.join(', ')}; delete those first`);
    if (this.browseMounts.has(id)) throw conflict('Snapshot files are being read; try again in a moment');
    this.m.meter.snapshot(id, s.sandboxId, 'deleted', s.sizeBytes);
    fs.rmSync(this.file(id), { force: true });
    this.byId.delete(id);
    // The record went first: a crash now leaves a subvolume or layer dir no record names, which
    // the next start removes.
    if (s.storage === 'btrfs') await this.m.storage.btrfs?.deleteSnapshot(id);
    else fs.rmSync(path.join(this.m.paths.layersDir, s.layers[0]!), { recursive: true, force: true });
  }

  /**
   * A read-only overlay of the snapshot's layers (nosuid, nodev, noexec, in a root-only dir),
   * read by a chrooted one-shot agent. Mount and unmount run under the snapshot's own lock, so a
   * second reader never sees a half-mounted dir and a failed mount leaves no count behind.
   */
  async filesAgent(id: string): Promise<{ agent: AgentClient; release: () => Promise<void> }> {
    const s = this.get(id);
    const mnt = path.join(this.m.cfg.dirs.runDir, 'snap', id);
    const key = `snap:${id}`;
    await this.m.lock.run(key, async () => {
      const count = this.browseMounts.get(id) ?? 0;
      if (count === 0 && !(await isMountPoint(mnt))) {
        fs.mkdirSync(path.dirname(mnt), { recursive: true, mode: 0o700 });
        fs.mkdirSync(mnt, { recursive: true, mode: 0o700 });
        const lower = s.layers.map((l) => this.layerPath(l)).join(':');
        await run('mount', ['-t', 'overlay', 'overlay', '-o', `ro,nosuid,nodev,noexec,lowerdir=${lower}`, mnt]);
      }
      this.browseMounts.set(id, count + 1);
    });
    return {
      agent: AgentClient.forOnce(path.join(this.m.paths.binDir, 'warren-agent'), mnt),
      release: () =>
        this.m.lock.run(key, async () => {
          const left = (this.browseMounts.get(id) ?? 1) - 1;
          if (left > 0) return void this.browseMounts.set(id, left);
          await unmount(mnt);
          this.browseMounts.delete(id);
          try {
            fs.rmdirSync(mnt);
          } catch {}
        }),
    };
  }
}

function strip(s: SnapshotRecord): Omit<SnapshotInfo, 'usedBy'> {
  const { layers: _l, ...rest } = s;
  return rest;
}
