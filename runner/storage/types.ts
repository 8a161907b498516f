/**
 * Where a sandbox's writable layer lives: one interface, two implementations (README: Storage).
 * `btrfs` gives each sandbox a subvolume in a copy-on-write pool (quota groups for the disk
 * limit, O(1) snapshots and forks); `image` is the older sparse ext4 image per sandbox, kept for
 * sandboxes made before the pool existed and for hosts without btrfs.
 */
export type StorageKind = 'btrfs' | 'image';

export type DiskMountPlan = {
  key: string;
  uidBase: number;
  uidCount: number;
  /** Where the layer is mounted (under the sandbox's run dir): `upper/` and `work/` inside. */
  diskMount: string;
  upper: string;
  work: string;
};

export interface WritableLayerStore {
  readonly kind: StorageKind;
  /** An empty writable layer for sandbox `key`, limited to `sizeMb`. */
  create(key: string, sizeMb: number): Promise<void>;
  /** Mounts the layer at `diskMount` with the overlay's upper and work dirs ready (idempotent). */
  attach(p: DiskMountPlan): Promise<void>;
  detach(diskMount: string): Promise<void>;
  /** Changes the disk limit. */
  resize(key: string, sizeMb: number): Promise<void>;
  /** Bytes the layer takes (what the quota counts); cheap and synchronous, for the meter. */
  usedBytes(key: string): number;
  /** Brings usedBytes up to date where it lags (btrfs counts quota groups at transaction commit). */
  settle?(key: string): Promise<void>;
  /** Frees the layer's space; nothing of it is mounted any more. */
  remove(key: string): Promise<void>;
}
