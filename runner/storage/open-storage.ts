import path from 'node:path';
import type { Logger } from 'pino';
import { findBinary } from '../runtime/preflight';
import { kernelHasBtrfs, openPool, type PoolSource } from './btrfs-pool';
import { BtrfsLayerStore } from './btrfs-store';
import { ImageLayerStore } from './image-store';
import type { RunnerDirs } from '../sandbox/paths';
import type { StorageKind } from './types';

export type StorageConfig = {
  /** `auto`: the btrfs pool where the host can have one, else ext4 images with a warning. */
  mode: 'auto' | 'btrfs' | 'image';
  poolSizeGb: number;
  /** A block device formatted with mkfs.btrfs, mounted as the pool. */
  device?: string;
  /** A dir on a mounted btrfs filesystem; the pool is its `warren/` subdir. */
  dir?: string;
};

export type Storage = {
  /** What new sandboxes get. */
  kind: StorageKind;
  image: ImageLayerStore;
  btrfs: BtrfsLayerStore | null;
};

export async function openStorage(cfg: StorageConfig, dirs: RunnerDirs, helpers: { mount: string; btrfs: string }, log: Logger): Promise<Storage> {
  const image = new ImageLayerStore(dirs);
  if (cfg.mode === 'image') return { kind: 'image', image, btrfs: null };
  const source: PoolSource = cfg.dir
    ? { kind: 'dir', dir: cfg.dir }
    : cfg.device
      ? { kind: 'device', device: cfg.device }
      : { kind: 'loop', file: path.join(dirs.dataDir, 'pool.img'), sizeGb: cfg.poolSizeGb };
  const missing = !findBinary('btrfs') ? 'btrfs-progs is not installed (apt-get install btrfs-progs)' : !kernelHasBtrfs() ? 'the kernel has no btrfs' : null;
  try {
    if (missing) throw new Error(missing);
    const pool = await openPool(source, path.join(dirs.runDir, 'pool'));
    log.info({ pool: pool.root }, 'storage: btrfs pool (subvolume per sandbox, O(1) snapshots)');
    return { kind: 'btrfs', image, btrfs: new BtrfsLayerStore(pool, helpers) };
  } catch (err) {
    if (cfg.mode === 'btrfs') throw new Error(`WARREN_RUNNER_STORAGE=btrfs but the btrfs pool is unavailable: ${(err as Error).message}`);
    log.warn(
      { reason: (err as Error).message },
      'STORAGE FALLBACK: no btrfs pool, so new sandboxes get ext4 disk images; snapshots and forks copy the writable layer (slow for large ones). Install btrfs-progs or set WARREN_RUNNER_BTRFS_DEVICE / WARREN_RUNNER_BTRFS_DIR.',
    );
    return { kind: 'image', image, btrfs: null };
  }
}
