import fs from 'node:fs';
import { createDisk, growDisk, mountDisk, unmount } from '../runtime/disk';
import { type RunnerDirs, sandboxPaths } from '../sandbox/paths';
import type { DiskMountPlan, WritableLayerStore } from './types';

/**
 * The older backend: a sparse ext4 image per sandbox (runner/runtime/disk.ts), loop-mounted at
 * boot. Its upper dir holds files under the sandbox's own host uids. Snapshots of these sandboxes
 * copy the upper dir (SnapshotStore); the image lives in the sandbox's home and goes with it.
 */
export class ImageLayerStore implements WritableLayerStore {
  readonly kind = 'image' as const;

  constructor(private readonly dirs: RunnerDirs) {}

  private image(key: string) {
    return sandboxPaths(this.dirs, key).diskImage;
  }

  create(key: string, sizeMb: number): Promise<void> {
    return createDisk(this.image(key), sizeMb);
  }

  async attach(p: DiskMountPlan): Promise<void> {
    await mountDisk(this.image(p.key), p.diskMount);
    if (!fs.existsSync(p.upper)) {
      fs.mkdirSync(p.upper, { mode: 0o755 });
      fs.chownSync(p.upper, p.uidBase, p.uidBase);
    }
    fs.mkdirSync(p.work, { recursive: true, mode: 0o700 });
  }

  detach(diskMount: string): Promise<void> {
    return unmount(diskMount);
  }

  resize(key: string, sizeMb: number): Promise<void> {
    return growDisk(this.image(key), sizeMb, sandboxPaths(this.dirs, key).diskMount);
  }

  usedBytes(key: string): number {
    try {
      return fs.statSync(this.image(key)).blocks * 512;
    } catch {
      return 0;
    }
  }

  async remove(key: string): Promise<void> {
    fs.rmSync(this.image(key), { force: true });
  }
}
