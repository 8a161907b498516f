import fs from 'node:fs';
import path from 'node:path';
import { notFound } from '@/lib/errors';
import type { StorageKind } from '../storage/types';
import type { SandboxInfo, SnapshotInfo } from './types';

/** What the runner persists per sandbox: the public info plus how it is laid out on this host. */
export type SandboxRecord = SandboxInfo & {
  key: string;
  slot: number;
  uidBase: number;
  /** Lower layer ids, topmost first (snapshot layers, then the template's). */
  layers: string[];
  /** A warm-pool sandbox not yet handed out. */
  pooled: boolean;
  slirpPid: number | null;
  /** Where its writable layer lives; records from before the btrfs pool have none: `image`. */
  storage?: StorageKind;
  /** A delete has begun: recovery finishes it (a half-deleted sandbox is never brought back). */
  deleting?: boolean;
};

/**
 * `storage: 'btrfs'`: a read-only subvolume in the pool (forks are writable snapshots of it, and
 * do not use its layer); none: the upper dir copied into the layer store as `layers[0]`.
 */
export type SnapshotRecord = Omit<SnapshotInfo, 'usedBy'> & { layers: string[]; storage?: 'btrfs' };

/** JSON files written atomically (temp + rename): a crash leaves the old or the new version. */
export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 }); // a sandbox's home is root-only
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2));
  fs.renameSync(tmp, file);
}

export function readJsonDir<T>(dir: string, fileInSubdir?: string): T[] {
  if (!fs.existsSync(dir)) return [];
  const out: T[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = fileInSubdir ? path.join(dir, name, fileInSubdir) : path.join(dir, name);
    if (!file.endsWith('.json') || !fs.existsSync(file)) continue;
    try {
      out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as T);
    } catch {
      // a half-written temp file is never named *.json, so this is a corrupt record: skip it
    }
  }
  return out;
}

export class SandboxTable {
  private byId = new Map<string, SandboxRecord>();
  /** Records that were destroyed: a late save (a create finishing) must not bring them back. */
  private gone = new WeakSet<SandboxRecord>();

  constructor(
    private readonly recordPath: (key: string) => string,
    /** Sees every record just before it is written (the meter journals state changes there). */
    private readonly beforeSave: (r: SandboxRecord) => void = () => {},
  ) {}

  load(records: SandboxRecord[]) {
    for (const r of records) {
      r.secrets ??= { env: [], egress: [] }; // records written before secrets
      this.byId.set(r.id, r);
    }
  }

  all(): SandboxRecord[] {
    return [...this.byId.values()];
  }

  visible(): SandboxRecord[] {
    return this.all().filter((r) => !r.pooled);
  }

  find(id: string): SandboxRecord | undefined {
    const r = this.byId.get(id);
    return r && !r.pooled ? r : undefined;
  }

  get(id: string): SandboxRecord {
    const r = this.find(id);
    if (!r) throw notFound('Sandbox');
    return r;
  }

  save(r: SandboxRecord) {
    if (this.gone.has(r)) return;
    this.byId.set(r.id, r);
    this.beforeSave(r);
    writeJsonAtomic(this.recordPath(r.key), r);
  }

  rename(r: SandboxRecord, newId: string) {
    this.byId.delete(r.id);
    r.id = newId;
    this.save(r);
  }

  forget(r: SandboxRecord) {
    this.gone.add(r);
    if (this.byId.get(r.id) === r) this.byId.delete(r.id);
  }

  isGone(r: SandboxRecord): boolean {
    return this.gone.has(r);
  }

  /** A random free slot (of ~61k): two runners sharing a host rarely pick the same uid range. */
  freeSlot(): number {
    const used = new Set(this.all().map((r) => r.slot));
    for (;;) {
      const slot = 1 + Math.floor(Math.random() * 61_000);
      if (!used.has(slot)) return slot;
    }
  }
}

export function publicInfo(r: SandboxRecord): SandboxInfo {
  const { key: _k, slot: _s, uidBase: _u, layers: _l, pooled: _p, slirpPid: _sp, deleting: _d, ...info } = r;
  return { ...info, isolation: info.isolation ?? 'container' };
}
