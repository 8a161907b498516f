import fs from 'node:fs';
import path from 'node:path';
import { type HostScan, SANDBOX_UID_MIN, scanHost, UID_COUNT, uidBaseOf } from './host-scan';

/**
 * Leak detection for one runner. A runner's host resources are attributed by what names them:
 * its data and run dirs (mounts, loop images, slirp's API socket), its sandbox keys (cgroups, runc
 * containers) and its sandboxes' uid ranges and network namespaces (processes). Everything
 * attributed must belong to a sandbox whose record says it is live (running or paused, warm-pool
 * members included); anything else is a leak. `Owned` remembers every key, uid range and netns
 * the runner ever had, so a deleted sandbox's leftovers are still recognised as this runner's.
 */
export type RunnerDirs = { dataDir: string; runDir: string };
export type Owned = { keys: Set<string>; uidBases: Set<number>; netns: Set<string> };
export type DiskRecord = { id: string; key: string; uidBase: number; state: string; pooled: boolean; network: { mode: string; allow?: string[] } };

const HOST_NETNS = fs.readlinkSync('/proc/self/ns/net');

export const newOwned = (): Owned => ({ keys: new Set(), uidBases: new Set(), netns: new Set() });

/** The runner's records as they are on disk (what a restarted runner will load). */
export function recordsOnDisk(d: RunnerDirs): Map<string, DiskRecord> {
  const dir = path.join(d.dataDir, 'sandboxes');
  const out = new Map<string, DiskRecord>();
  for (const key of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    try {
      const rec = JSON.parse(fs.readFileSync(path.join(dir, key, 'sandbox.json'), 'utf8')) as DiskRecord;
      out.set(key, rec);
    } catch {}
  }
  return out;
}

/**
 * Records every sandbox key the runner creates, also one made and removed between two checks
 * (a warm-pool member, a create cleaned by recovery): its cgroups are named by it. inotify on the
 * sandboxes dir sees each new home. Returns a stop function.
 */
export function watchKeys(d: RunnerDirs, owned: Owned): () => void {
  const dir = path.join(d.dataDir, 'sandboxes');
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  const w = fs.watch(dir, (_event, name) => {
    if (name && !name.includes('.')) owned.keys.add(name.toString());
  });
  return () => w.close();
}

/** Adds what the host shows of this runner now to `owned` (keys, uid ranges, namespaces). */
export function remember(d: RunnerDirs, owned: Owned, scan: HostScan, records = recordsOnDisk(d)): void {
  const dir = path.join(d.dataDir, 'sandboxes');
  for (const key of fs.existsSync(dir) ? fs.readdirSync(dir) : []) owned.keys.add(key);
  for (const r of records.values()) owned.uidBases.add(r.uidBase);
  // Only processes in a sandbox's uid range name its netns: runc's own helpers join the
  // sandbox's cgroup while still in the host's namespace.
  for (const p of scan.procs) {
    const inRange = p.uid >= SANDBOX_UID_MIN && owned.uidBases.has(uidBaseOf(p.uid));
    if (inRange && p.netns && p.netns !== HOST_NETNS) owned.netns.add(p.netns);
  }
}

const isLive = (r: DiskRecord) => r.state === 'running' || r.state === 'paused';

/** Everything of this runner's on the host that no live sandbox accounts for. Empty = no leak. */
export function findLeaks(d: RunnerDirs, owned: Owned, scan: HostScan = scanHost(d.runDir)): string[] {
  const records = recordsOnDisk(d);
  remember(d, owned, scan, records);
  const live = new Map([...records.values()].filter(isLive).map((r) => [r.key, r]));
  const liveBases = new Set([...live.values()].map((r) => r.uidBase));
  const leaks: string[] = [];
  const sbRun = path.join(d.runDir, 'sb');

  for (const m of scan.mounts) {
    if (!(m.startsWith(`${d.dataDir}/`) || m.startsWith(`${d.runDir}/`))) continue;
    if (m === path.join(d.runDir, 'bin')) continue; // the agent binary's tmpfs, for the runner's life
    if (m === path.join(d.runDir, 'secrets')) continue; // the secret store's tmpfs, likewise
    if (m === path.join(d.runDir, 'pool')) continue; // the btrfs pool, likewise
    const key = m.startsWith(`${sbRun}/`) ? m.slice(sbRun.length + 1).split('/')[0]! : '';
    if (!live.has(key)) leaks.push(`mount ${m}`);
  }
  const images = new Map<string, number>();
  for (const l of scan.loops.filter((x) => x.file.startsWith(`${d.dataDir}/`))) {
    images.set(l.file, (images.get(l.file) ?? 0) + 1);
    if (l.file === path.join(d.dataDir, 'pool.img')) continue; // the btrfs pool's file: one loop device
    const key = path.basename(path.dirname(l.file));
    if (!live.has(key) || path.basename(l.file) !== 'disk.img') leaks.push(`loop device ${l.dev} on ${l.file}`);
  }
  for (const [file, n] of images) if (n > 1) leaks.push(`${n} loop devices on ${file}`);
  for (const key of owned.keys) {
    if (!live.has(key) && scan.cgroups.has(key)) leaks.push(`cgroups of ${key}: ${scan.cgroups.get(key)!.join(', ')}`);
  }
  for (const [id, status] of scan.containers) if (!live.has(id)) leaks.push(`runc container ${id} (${status})`);

  // Namespace inodes are reused once freed: one that a foreign sandbox's processes live in now
  // is that sandbox's, whatever it was before.
  const foreignNetns = new Set(scan.procs.filter((p) => p.uid >= SANDBOX_UID_MIN && !owned.uidBases.has(uidBaseOf(p.uid))).map((p) => p.netns));
  const slirpFor = new Map<string, number>();
  for (const p of scan.procs) {
    const ownedRange = p.uid >= SANDBOX_UID_MIN && owned.uidBases.has(uidBaseOf(p.uid));
    if (p.comm === 'slirp4netns' && p.cmdline.includes(`${sbRun}/`)) {
      const key = p.cmdline.split(`${sbRun}/`)[1]!.split('/')[0]!;
      slirpFor.set(key, (slirpFor.get(key) ?? 0) + 1);
      const r = live.get(key);
      if (r?.network.mode !== 'egress' || r.network.allow?.length) leaks.push(`slirp4netns ${p.pid} for ${key}`);
      continue;
    }
    const cgroupKey = /\/warren\/([^/\n]+)/.exec(p.cgroup)?.[1];
    if (ownedRange && !liveBases.has(uidBaseOf(p.uid))) leaks.push(`process ${p.pid} (${p.comm}) as uid ${p.uid}`);
    else if (cgroupKey && owned.keys.has(cgroupKey) && !live.has(cgroupKey)) leaks.push(`process ${p.pid} (${p.comm}) in the cgroup of ${cgroupKey}`);
    else if (p.uid < SANDBOX_UID_MIN && owned.netns.has(p.netns) && !foreignNetns.has(p.netns)) leaks.push(`process ${p.pid} (${p.comm}: ${p.cmdline.slice(0, 80)}) in a sandbox's netns`);
  }
  for (const [key, n] of slirpFor) if (n > 1) leaks.push(`${n} slirp4netns processes for ${key}`);

  // Durable leftovers: a sandbox home without a record is disk space nobody will ever free.
  const homes = path.join(d.dataDir, 'sandboxes');
  for (const key of fs.existsSync(homes) ? fs.readdirSync(homes) : []) {
    if (!records.has(key)) leaks.push(`sandbox dir ${key} without a record (${fs.readdirSync(path.join(homes, key)).join(', ') || 'empty'})`);
  }
  leaks.push(...subvolumeLeaks(d, records));
  return leaks;
}

/**
 * Subvolumes in the btrfs pool that no record names: a sandbox's (`sandboxes/<key>`) outlives
 * its record, a snapshot's (`snapshots/<id>`) its snapshot record. Either is space never freed.
 */
function subvolumeLeaks(d: RunnerDirs, records: Map<string, DiskRecord>): string[] {
  const pool = path.join(d.runDir, 'pool');
  const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const snapshotIds = new Set(list(path.join(d.dataDir, 'snapshots')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)));
  return [
    ...list(path.join(pool, 'sandboxes')).filter((key) => !records.has(key)).map((key) => `subvolume sandboxes/${key} without a record`),
    ...list(path.join(pool, 'snapshots')).filter((id) => !snapshotIds.has(id)).map((id) => `subvolume snapshots/${id} without a snapshot record`),
  ];
}

/** Leaks that persist: helpers (socat after a tunnel, say) get `graceMs` to exit on their own. */
export async function waitForNoLeaks(d: RunnerDirs, owned: Owned, graceMs = 5000): Promise<string[]> {
  const until = Date.now() + graceMs;
  for (;;) {
    const leaks = findLeaks(d, owned);
    if (leaks.length === 0 || Date.now() > until) return leaks;
    await new Promise((r) => setTimeout(r, 150));
  }
}

export { UID_COUNT };
