import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AgentClient } from '@/runner/agent/client';
import { AppError, conflict, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { cgroupUsage } from '../runtime/cgroups';
import { createDisk, isMountPoint, mountsUnder } from '../runtime/disk';
import { run } from '../runtime/exec-file';
import { mountRootfs, unmountRootfs } from '../runtime/mounts';
import { startEgress } from '../runtime/network';
import { CPU_PERIOD_US } from '../runtime/oci-spec';
import type { OciRuntime } from '../runtime/runc';
import { BASE_LAYER, ensureBaseLayer } from '../runtime/template';
import { DEFAULT_RESOURCES, expiry, nowIso } from './defaults';
import { faultPoint } from './fault-point';
import { KeyedLock } from './keyed-lock';
import { boot, cgroupsPathFor, halt, type LifecycleDeps, pidsLimit, rootfsPlan } from './lifecycle';
import { type RunnerDirs, runnerPaths, sandboxPaths, uidBaseForSlot } from './paths';
import { readJsonDir, type SandboxRecord, SandboxTable, publicInfo } from './store';
import type { Capacity, CreateSandboxInput, SandboxInfo, SandboxManager, SandboxMetrics, SnapshotInfo } from './types';
import { SnapshotStore } from './snapshots';
import { WarmPool } from './warm-pool';
import { AllowlistEgress, proxyEnv, usesAllowlist } from './allowlist-egress';
import { recoverSandboxes } from './recovery';
import { startReaper } from './reaper';
import { Journal } from './journal';
import { cpuMsOf, Meter, type MeteredRecord } from './meter';
import { startSampler } from './sampler';
import { startHostNetWatch } from './host-net-watch';

export type ManagerConfig = {
  dirs: RunnerDirs;
  runtime: OciRuntime;
  nativeDir: string;
  poolSize: number;
  maxSandboxes: number;
  cpuTotal: number;
  memoryMbTotal: number;
  /** Re-read the host's networks (for the egress rules) this often; 30 s when unset. */
  hostNetCheckMs?: number;
  /** How often CPU time and disk use are sampled into the meter's journal; 30 s when unset. */
  sampleEveryMs?: number;
};

/** The local runtime: sandboxes as runc containers on this host (see README: Architecture). */
export class LocalSandboxManager implements SandboxManager {
  readonly table: SandboxTable;
  readonly meter: Meter;
  readonly deps: LifecycleDeps;
  readonly lock = new KeyedLock();
  readonly snapshots: SnapshotStore;
  readonly pool: WarmPool;
  readonly egress = new AllowlistEgress(this);
  private agents = new Map<string, AgentClient>();
  private offlineMounts = new Map<string, number>();
  private stopReaper: (() => void) | undefined;
  private stopSampler: (() => void) | undefined;
  private stopNetWatch: (() => void) | undefined;
  readonly paths: ReturnType<typeof runnerPaths>;

  constructor(
    readonly cfg: ManagerConfig,
    readonly log: Logger,
  ) {
    this.paths = runnerPaths(cfg.dirs);
    this.meter = new Meter(new Journal(path.join(cfg.dirs.dataDir, 'journal')), (key) => sandboxPaths(cfg.dirs, key).diskImage);
    this.table = new SandboxTable(
      (key) => sandboxPaths(cfg.dirs, key).record,
      (r) => this.meter.beforeSave(r),
    );
    this.deps = {
      dirs: cfg.dirs,
      runtime: cfg.runtime,
      mountHelper: path.join(cfg.nativeDir, 'warren-mount'),
      agentBinDir: this.paths.binDir,
      layerDir: (id) => path.join(this.paths.layersDir, id),
    };
    this.snapshots = new SnapshotStore(this);
    this.pool = new WarmPool(this, cfg.poolSize);
  }

  async init(): Promise<void> {
    const p = this.paths;
    for (const dir of [p.sandboxesDir, p.snapshotsDir, p.binDir, p.sbRunDir]) fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
    fs.mkdirSync(p.layersDir, { recursive: true, mode: 0o700 });
    for (const d of [this.cfg.dirs.runDir, path.dirname(this.cfg.dirs.runDir)]) fs.chmodSync(d, 0o711);
    // The agent binary is copied next to the mount points so runc can bind it from a path the
    // sandbox's host uid can traverse, onto a tmpfs of its own (a bind mount of a plain dir would
    // show its host path in every sandbox's mountinfo).
    // Replaced by rename, never overwritten in place: running sandboxes execute the old inode.
    if (!(await isMountPoint(p.binDir))) await run('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755,nosuid,nodev', 'warren-bin', p.binDir]);
    const agentBin = path.join(p.binDir, 'warren-agent');
    fs.copyFileSync(path.join(this.cfg.nativeDir, 'warren-agent'), `${agentBin}.new`);
    fs.chmodSync(`${agentBin}.new`, 0o755);
    fs.renameSync(`${agentBin}.new`, agentBin);
    ensureBaseLayer(p.layersDir);
    this.table.load(readJsonDir<SandboxRecord>(p.sandboxesDir, 'sandbox.json'));
    this.snapshots.load();
    await this.snapshots.unmountStale();
    await recoverSandboxes(this);
    this.stopReaper = startReaper(this);
    this.stopSampler = startSampler(this, this.cfg.sampleEveryMs);
    this.stopNetWatch = startHostNetWatch(this, this.cfg.hostNetCheckMs ?? 30_000);
    void this.pool.fill();
  }

  /** Stops background work and lets operations in flight (a boot, a snapshot copy) finish first. */
  async shutdown(deadlineMs = 10_000): Promise<void> {
    this.stopReaper?.();
    this.stopSampler?.();
    this.stopNetWatch?.();
    await this.pool.stopFilling();
    await Promise.race([this.lock.idle(), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    this.agents.clear();
    this.egress.closeAll();
    this.meter.journal.close();
  }

  // ---- lifecycle -------------------------------------------------------------------------

  async create(input: CreateSandboxInput): Promise<SandboxInfo> {
    const id = input.id ?? newId();
    if (!/^[a-z0-9]{3,40}$/.test(id)) throw new AppError('validation_failed', 'Sandbox ids are 3–40 lowercase letters and digits');
    if (this.table.all().some((r) => r.id === id)) throw conflict(`A sandbox with id ${id} already exists`);
    const template = input.template ?? 'default';
    if (template !== 'default') throw notFound(`Template ${template}`);
    const layers = input.snapshotId ? this.snapshots.get(input.snapshotId).layers : [BASE_LAYER];
    const resources = { ...DEFAULT_RESOURCES, ...input.resources };
    if (this.table.visible().length >= this.cfg.maxSandboxes) {
      throw new AppError('quota_exceeded', `This runner is full (${this.cfg.maxSandboxes} sandboxes)`);
    }
    const claimed = input.snapshotId ? undefined : await this.pool.claim(id, resources);
    const rec = claimed ?? (await this.createCold(id, layers, resources, false));
    return this.lock.run(rec.key, async () => {
      if (this.table.isGone(rec)) throw conflict('The sandbox was deleted while it was being created');
      faultPoint('after-runtime-call:create');
      // `running` is written together with the sandbox's configuration (network, env, TTL): a
      // crash before this save leaves `creating`, which recovery cleans up, never a sandbox
      // that runs with a configuration nobody asked for.
      Object.assign(rec, {
        state: 'running',
        snapshotId: input.snapshotId ?? null,
        template,
        network: input.network ?? { mode: 'none' },
        env: input.env ?? {},
        metadata: input.metadata ?? {},
        timeoutSec: input.timeoutSec ?? 0,
        idleTimeoutSec: input.idleTimeoutSec ?? 0,
        onTimeout: input.onTimeout ?? 'stop',
        expiresAt: expiry(input.timeoutSec ?? 0),
        lastActivityAt: nowIso(),
        createdAt: nowIso(),
      });
      if (usesAllowlist(rec)) {
        rec.env = { ...proxyEnv(), ...rec.env };
        this.table.save(rec);
        await this.egress.attach(rec);
      } else if (rec.network.mode === 'egress' && !rec.slirpPid) {
        const p = sandboxPaths(this.cfg.dirs, rec.key);
        rec.slirpPid = await startEgress({ containerPid: this.initPid.get(rec.key)!, apiSocket: p.slirpApi, logFile: p.slirpLog });
      }
      this.table.save(rec);
      this.log.info({ sandbox: rec.id, pooled: Boolean(claimed) }, 'sandbox created');
      return publicInfo(rec);
    });
  }

  /** A brand-new container: record first (so a crash leaves a trace to clean), then disk, then boot. */
  async createCold(id: string, layers: string[], resources: SandboxInfo['resources'], pooled: boolean): Promise<SandboxRecord> {
    const key = `k${newId(15)}`;
    const slot = this.table.freeSlot();
    const rec: SandboxRecord = {
      id, key, slot, uidBase: uidBaseForSlot(slot), layers, pooled, slirpPid: null,
      state: 'creating', reason: null, template: 'default', snapshotId: null, resources,
      network: { mode: 'none' }, env: {}, metadata: {}, createdAt: nowIso(), startedAt: null, stoppedAt: null,
      expiresAt: null, timeoutSec: 0, idleTimeoutSec: 0, lastActivityAt: nowIso(),
    };
    this.table.save(rec);
    // Under the sandbox's lock: a delete or stop that arrives meanwhile waits for the boot.
    return this.lock.run(key, async () => {
      try {
        await createDisk(sandboxPaths(this.cfg.dirs, key).diskImage, resources.diskMb);
        const { pid } = await boot(this.deps, rec);
        this.initPid.set(key, pid);
      } catch (err) {
        await this.destroy(rec).catch(() => {});
        throw new AppError('internal', `Could not start the sandbox: ${(err as Error).message}`);
      }
      // A pool member is ready now; a sandbox for a create becomes `running` once create() has
      // written its configuration.
      Object.assign(rec, { state: pooled ? 'running' : 'creating', startedAt: nowIso() });
      this.table.save(rec);
      return rec;
    });
  }

  list(): SandboxInfo[] {
    return this.table.visible().map(publicInfo);
  }

  get(id: string): SandboxInfo {
    return publicInfo(this.table.get(id));
  }

  /**
   * Runs `fn` under the sandbox's lock, unless it was deleted while this waited for the lock: an
   * action queued behind a delete must answer 404, not act on what is left of the record.
   */
  private locked<T>(rec: SandboxRecord, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(rec.key, () => {
      if (this.table.isGone(rec)) throw notFound('Sandbox');
      return fn();
    });
  }

  start(id: string): Promise<SandboxInfo> {
    const rec = this.table.get(id);
    return this.locked(rec, async () => {
      if (rec.state !== 'stopped') throw conflict(`Sandbox is ${rec.state}; only a stopped sandbox can be started`);
      if (this.offlineMounts.has(rec.key)) throw conflict('The sandbox files are being read or written; start it again in a moment');
      const { pid, slirpPid } = await boot(this.deps, rec);
      faultPoint('after-runtime-call:start');
      this.initPid.set(rec.key, pid);
      Object.assign(rec, { state: 'running', reason: null, slirpPid, startedAt: nowIso(), stoppedAt: null, expiresAt: expiry(rec.timeoutSec), lastActivityAt: nowIso() });
      this.table.save(rec);
      await this.egress.attach(rec);
      return publicInfo(rec);
    });
  }

  /** `at`: when the stop counts from (a TTL that passed while the runner was down), never later than now. */
  stop(id: string, reason = 'requested', at?: string): Promise<SandboxInfo> {
    const rec = this.table.get(id);
    return this.locked(rec, async () => {
      if (rec.state === 'stopped') return publicInfo(rec);
      if (rec.state === 'paused') await this.cfg.runtime.resume(rec.key).catch(() => {});
      this.dropAgent(rec.key);
      this.egress.detach(rec);
      (rec as MeteredRecord).cpuMsAtStop = cpuMsOf(rec.key);
      await halt(this.deps, rec);
      faultPoint('after-runtime-call:stop');
      this.initPid.delete(rec.key);
      const stoppedAt = at && Date.parse(at) < Date.now() ? new Date(at).toISOString() : nowIso();
      Object.assign(rec, { state: 'stopped', reason, stoppedAt, expiresAt: null });
      this.table.save(rec);
      this.emitStopped(rec.id);
      this.log.info({ sandbox: rec.id, reason }, 'sandbox stopped');
      return publicInfo(rec);
    });
  }

  pause(id: string, reason?: string): Promise<SandboxInfo> {
    const rec = this.table.get(id);
    return this.locked(rec, async () => {
      if (rec.state !== 'running') throw conflict(`Sandbox is ${rec.state}; only a running sandbox can be paused`);
      await this.cfg.runtime.pause(rec.key);
      faultPoint('after-runtime-call:pause');
      rec.state = 'paused';
      // Paused by its timeout: the TTL is spent, and resume grants a fresh one (as E2B's
      // auto-pause does), so the reaper does not find it due again while it sleeps.
      if (reason) Object.assign(rec, { reason, expiresAt: null });
      this.table.save(rec);
      return publicInfo(rec);
    });
  }

  resume(id: string): Promise<SandboxInfo> {
    const rec = this.table.get(id);
    return this.locked(rec, async () => {
      if (rec.state !== 'paused') throw conflict(`Sandbox is ${rec.state}; only a paused sandbox can be resumed`);
      await this.cfg.runtime.resume(rec.key);
      faultPoint('after-runtime-call:resume');
      const expiresAt = rec.expiresAt ?? expiry(rec.timeoutSec);
      Object.assign(rec, { state: 'running', reason: null, expiresAt, lastActivityAt: nowIso() });
      this.table.save(rec);
      await this.egress.attach(rec); // a no-op unless a restart happened while it was paused
      return publicInfo(rec);
    });
  }

  async delete(id: string): Promise<void> {
    const rec = this.table.get(id);
    await this.locked(rec, () => this.destroy(rec));
    this.log.info({ sandbox: id }, 'sandbox deleted');
  }

  /** Removes everything of a sandbox: container, mounts, network, cgroups, disk, record. */
  async destroy(rec: SandboxRecord): Promise<void> {
    // The intent goes to disk before anything is undone: a crash from here on is finished by
    // recovery, instead of bringing back a sandbox with its processes gone ("host restarted").
    rec.deleting = true;
    this.table.save(rec);
    if (rec.state === 'paused') await this.cfg.runtime.resume(rec.key).catch(() => {});
    if (rec.state === 'running' || rec.state === 'paused') (rec as MeteredRecord).cpuMsAtStop = cpuMsOf(rec.key);
    this.dropAgent(rec.key);
    this.egress.detach(rec);
    await halt(this.deps, rec);
    faultPoint('after-runtime-call:delete');
    this.initPid.delete(rec.key);
    this.lastPersisted.delete(rec.id);
    const p = sandboxPaths(this.cfg.dirs, rec.key);
    // Never a recursive delete over anything still mounted; the record (in home) goes last, so a
    // failed delete is retried after a restart instead of leaving mounts nobody knows about.
    const still = [...(await mountsUnder(p.run)), ...(await mountsUnder(p.home))];
    if (still.length) throw new Error(`${still.join(', ')} still mounted; refusing to delete`);
    if (!rec.pooled) this.emitStopped(rec.id);
    this.meter.deleted(rec); // journaled before the record goes: a crash can repeat it, never lose it
    fs.rmSync(p.run, { recursive: true, force: true });
    faultPoint('mid-remove:delete');
    // The record goes last: a crash before it leaves the record (saying `deleting`) for
    // recovery to finish, never a disk image that no record names.
    for (const name of fs.existsSync(p.home) ? fs.readdirSync(p.home) : []) {
      if (name !== 'sandbox.json') fs.rmSync(path.join(p.home, name), { recursive: true, force: true });
    }
    fs.rmSync(p.home, { recursive: true, force: true });
    this.table.forget(rec);
  }

  setTimeout(id: string, timeoutSec: number): SandboxInfo {
    const rec = this.table.get(id);
    if (rec.state === 'stopped' || rec.state === 'error') throw conflict(`Sandbox is ${rec.state}; start it before extending its timeout`);
    Object.assign(rec, { timeoutSec, expiresAt: expiry(timeoutSec) });
    this.table.save(rec);
    return publicInfo(rec);
  }

  events(after: number, limit: number) {
    return this.meter.journal.read(after, limit);
  }

  private lastPersisted = new Map<string, number>();
  touch(id: string): void {
    const rec = this.table.find(id);
    if (!rec) return;
    rec.lastActivityAt = nowIso();
    // Activity is frequent; persisting it every few seconds is plenty for the idle timeout.
    const last = this.lastPersisted.get(id) ?? 0;
    if (Date.now() - last > 5000) {
      this.lastPersisted.set(id, Date.now());
      this.table.save(rec);
    }
  }

  // ---- agents, files, ports ----------------------------------------------------------------

  agent(id: string): AgentClient {
    const rec = this.table.get(id);
    if (rec.state !== 'running') throw conflict(`Sandbox is ${rec.state}; ${rec.state === 'paused' ? 'resume' : 'start'} it first`);
    let a = this.agents.get(rec.key);
    if (!a) {
      a = AgentClient.forSocket(sandboxPaths(this.cfg.dirs, rec.key).agentSocket);
      this.agents.set(rec.key, a);
    }
    return a;
  }

  private dropAgent(key: string) {
    this.agents.delete(key);
  }

  private stopListeners: Array<(id: string) => void> = [];
  onStopped(listener: (id: string) => void): void {
    this.stopListeners.push(listener);
  }
  private emitStopped(id: string) {
    for (const l of this.stopListeners) {
      try {
        l(id);
      } catch (err) {
        this.log.warn({ err, sandbox: id }, 'stop listener failed');
      }
    }
  }

  stateDir(id: string): string {
    return sandboxPaths(this.cfg.dirs, this.table.get(id).key).home;
  }

  async filesAgent(id: string): Promise<{ agent: AgentClient; release: () => Promise<void> }> {
    const rec = this.table.get(id);
    if (rec.state === 'running') return { agent: this.agent(id), release: async () => {} };
    if (rec.state === 'paused') throw conflict('Sandbox is paused; resume it to use its files');
    return this.locked(rec, async () => {
      if (rec.state !== 'stopped') return { agent: this.agent(id), release: async () => {} };
      // A stopped sandbox's files are reached through its rootfs mounted on the host, by a
      // one-shot agent chrooted into it that acts as the sandbox's own (host-mapped) uid.
      const plan = rootfsPlan(this.deps, rec);
      const count = this.offlineMounts.get(rec.key) ?? 0;
      if (count === 0 && !(await isMountPoint(plan.rootfs))) await mountRootfs(plan);
      this.offlineMounts.set(rec.key, count + 1);
      const agent = AgentClient.forOnce(path.join(this.paths.binDir, 'warren-agent'), plan.rootfs, { uidBase: rec.uidBase });
      return {
        agent,
        // One locked step: the count drops and the last reader unmounts before anyone (a start)
        // can see the sandbox as free.
        release: () =>
          this.lock.run(rec.key, async () => {
            const left = (this.offlineMounts.get(rec.key) ?? 1) - 1;
            if (left > 0) return void this.offlineMounts.set(rec.key, left);
            if (rec.state === 'stopped') await unmountRootfs(plan);
            this.offlineMounts.delete(rec.key);
          }),
      };
    });
  }

  netnsPath(id: string): string {
    const rec = this.table.get(id);
    if (rec.state !== 'running') throw conflict(`Sandbox is ${rec.state}; its ports answer only while it runs`);
    const pid = this.initPid.get(rec.key);
    // The pid must still be this sandbox's init (its root is the sandbox's host uid): a reused
    // pid would put the tunnel in someone else's network namespace.
    if (!pid || processUid(pid) !== rec.uidBase) throw new AppError('runner_unavailable', 'The sandbox is not running any more');
    return `/proc/${pid}/ns/net`;
  }

  /** Host pid of each running container's init, refreshed on boot and recovery. */
  readonly initPid = new Map<string, number>();

  async metrics(id: string): Promise<SandboxMetrics> {
    const rec = this.table.get(id);
    const usage = rec.state === 'running' || rec.state === 'paused' ? cgroupUsage(cgroupsPathFor(rec.key)) : { cpuSeconds: 0, memoryBytes: 0, pids: 0 };
    return { ...usage, diskBytes: await diskUsed(sandboxPaths(this.cfg.dirs, rec.key)) };
  }

  capacity(): Capacity {
    const visible = this.table.visible();
    const live = visible.filter((r) => r.state === 'running' || r.state === 'paused');
    return {
      sandboxes: visible.length,
      running: live.length,
      maxSandboxes: this.cfg.maxSandboxes,
      cpuCommitted: live.reduce((s, r) => s + r.resources.cpu, 0),
      cpuTotal: this.cfg.cpuTotal,
      memoryMbCommitted: live.reduce((s, r) => s + r.resources.memoryMb, 0),
      memoryMbTotal: this.cfg.memoryMbTotal,
      diskMbCommitted: visible.reduce((s, r) => s + r.resources.diskMb, 0),
      poolReady: this.pool.ready(),
    };
  }

  async applyResources(rec: SandboxRecord, r: SandboxInfo['resources']) {
    await this.cfg.runtime.update(rec.key, {
      memoryBytes: r.memoryMb * 1024 * 1024,
      cpuQuota: Math.round(r.cpu * CPU_PERIOD_US),
      cpuPeriod: CPU_PERIOD_US,
      pids: pidsLimit(r.memoryMb),
    });
    rec.resources = r;
  }

  // ---- snapshots (see snapshots.ts) ---------------------------------------------------------

  createSnapshot(sandboxId: string, name?: string, id?: string): Promise<SnapshotInfo> {
    return this.snapshots.create(sandboxId, name, id);
  }
  listSnapshots(): SnapshotInfo[] {
    return this.snapshots.list();
  }
  getSnapshot(id: string): SnapshotInfo {
    return this.snapshots.info(id);
  }
  deleteSnapshot(id: string): Promise<void> {
    return this.snapshots.delete(id);
  }
  snapshotFilesAgent(id: string) {
    return this.snapshots.filesAgent(id);
  }
}

async function diskUsed(p: ReturnType<typeof sandboxPaths>): Promise<number> {
  try {
    if (await isMountPoint(p.diskMount)) {
      const s = fs.statfsSync(p.diskMount);
      return (s.blocks - s.bfree) * s.bsize;
    }
    return fs.statSync(p.diskImage).blocks * 512;
  } catch {
    return 0;
  }
}

function processUid(pid: number): number | undefined {
  try {
    return Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}
