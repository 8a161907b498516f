import fs from 'node:fs';
import net from 'node:net';
import { processUid } from '../runtime/proc';
import path from 'node:path';
import type { Logger } from 'pino';
import { AgentClient } from '@/runner/agent/client';
import { AppError, conflict, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import { cgroupUsage } from '../runtime/cgroups';
import { GVISOR_STATX_SHIM } from '../services/command-env';
import { isMountPoint, mountsUnder } from '../runtime/disk';
import { openStorage, type Storage, type StorageConfig } from '../storage/open-storage';
import type { WritableLayerStore } from '../storage/types';
import { run } from '../runtime/exec-file';
import { mountRootfs, unmountRootfs } from '../runtime/mounts';
import { startEgress } from '../runtime/network';
import { CPU_PERIOD_US } from '../runtime/oci-spec';
import type { OciRuntime } from '../runtime/runc';
import type { GvisorSupport } from '../runtime/gvisor';
import { BASE_LAYER, ensureBaseLayer, ensureImageTopLayer, IMAGE_TOP_LAYER } from '../runtime/template';
import { ImageStore } from '../images/image-store';
import { BuildSteps } from '../images/build-steps';
import { sweepBuildLeftovers } from '../images/build-gc';
import { DebianBases } from '../images/debian-base';
import { DEFAULT_MAX_LAYER_BYTES } from '../images/layer-unpack';
import { DEFAULT_RESOURCES, expiry, nowIso } from './defaults';
import { faultPoint } from './fault-point';
import { KeyedLock } from './keyed-lock';
import { boot, cgroupsPathFor, halt, type LifecycleDeps, pidsLimit, rootfsPlan } from './lifecycle';
import { agentSocketOf, type RunnerDirs, runnerPaths, sandboxPaths, uidBaseForSlot } from './paths';
import { readJsonDir, type SandboxRecord, SandboxTable, publicInfo } from './store';
import type { Capacity, CreateSandboxInput, Isolation, EgressSecret, SandboxInfo, SandboxManager, SandboxMetrics, SandboxSecretsInput, SnapshotInfo } from './types';
import { SnapshotStore } from './snapshots';
import { WarmPool } from './warm-pool';
import { AllowlistEgress, caEnv, proxyEnv } from './allowlist-egress';
import { egressViaProxyOnly } from './egress-mode';
import { SecretStore } from './secret-store';
import { type CaMaterial, caBundle, createCa } from '../runtime/sandbox-ca';
import { recoverSandboxes } from './recovery';
import { startReaper } from './reaper';
import { Journal } from './journal';
import { cpuMsOf, Meter, type MeteredRecord } from './meter';
import { RecentMetrics } from './recent-metrics';
import { startRecentSampler, startSampler } from './sampler';
import { startHostNetWatch } from './host-net-watch';

export type ManagerConfig = {
  dirs: RunnerDirs;
  /** runc: `isolation: 'container'` sandboxes (and warm-pool members). */
  runtime: OciRuntime;
  /** runsc for `isolation: 'gvisor'`, with what its probe found; absent: not available. */
  gvisor?: { runtime: OciRuntime | null; support: GvisorSupport };
  nativeDir: string;
  poolSize: number;
  maxSandboxes: number;
  cpuTotal: number;
  memoryMbTotal: number;
  /** Re-read the host's networks (for the egress rules) this often; 30 s when unset. */
  hostNetCheckMs?: number;
  /** How often CPU time and disk use are sampled into the meter's journal; 30 s when unset. */
  sampleEveryMs?: number;
  /** Where writable layers live (README: Storage); `auto` when unset. */
  storage?: StorageConfig;
  /** How often the recent CPU/memory history the console's chart opens with is sampled (5 s). */
  recentSampleEveryMs?: number;
  /** Registries pulled over plain HTTP (loopback ones always are, as Docker does). */
  insecureRegistries?: string[];
  /** Cap on one image layer's uncompressed size (a gzip bomb stops there). */
  maxLayerBytes?: number;
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
  readonly secrets: SecretStore;
  readonly images: ImageStore;
  readonly builds: BuildSteps;
  readonly debian: DebianBases;
  private agents = new Map<string, AgentClient>();
  private offlineMounts = new Map<string, number>();
  private stopReaper: (() => void) | undefined;
  private stopSampler: (() => void) | undefined;
  private stopRecentSampler: (() => void) | undefined;
  private stopNetWatch: (() => void) | undefined;
  readonly paths: ReturnType<typeof runnerPaths>;

  constructor(
    readonly cfg: ManagerConfig,
    readonly log: Logger,
  ) {
    this.paths = runnerPaths(cfg.dirs);
    this.secrets = new SecretStore(cfg.dirs);
    this.meter = new Meter(new Journal(path.join(cfg.dirs.dataDir, 'journal')), (rec) => this.diskBytes(rec));
    this.table = new SandboxTable(
      (key) => sandboxPaths(cfg.dirs, key).record,
      (r) => this.meter.beforeSave(r),
    );
    this.deps = {
      dirs: cfg.dirs,
      runtimeFor: (rec) => this.runtimeFor(rec),
      mountHelper: path.join(cfg.nativeDir, 'warren-mount'),
      agentBinDir: this.paths.binDir,
      layerDir: (id) => path.join(this.paths.layersDir, id),
      storeFor: (rec) => this.storeFor(rec),
      trustFor: (rec) => this.trustFor(rec),
      // A pool member's boot steps wait while claims are under way (see WarmPool.untilClaimsPause).
      pace: (rec) => (rec.pooled ? this.pool.untilClaimsPause() : Promise.resolve()),
    };
    this.snapshots = new SnapshotStore(this);
    this.images = new ImageStore(
      { layersDir: this.paths.layersDir, imagesDir: this.paths.imagesDir, pullsDir: this.paths.pullsDir },
      log.child({ svc: 'images' }),
      () => new Set([...this.table.all().flatMap((r) => r.layers), ...this.snapshots.list().flatMap((s) => this.snapshots.get(s.id).layers)]),
      ['127.0.0.1', 'localhost', '::1', ...(cfg.insecureRegistries ?? [])],
      cfg.maxLayerBytes,
    );
    this.builds = new BuildSteps(this, log.child({ svc: 'builds' }));
    this.debian = new DebianBases(this.images, { layersDir: this.paths.layersDir, pullsDir: this.paths.pullsDir }, cfg.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES, process.env.WARREN_DEBIAN_CACHE_DIR || path.join(cfg.dirs.dataDir, 'debian-debs'));
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
    // With them, the statx shim gVisor sandboxes' commands preload (runner/native/statx-shim.c).
    for (const name of ['warren-agent', GVISOR_STATX_SHIM]) {
      const bin = path.join(p.binDir, name);
      fs.copyFileSync(path.join(this.cfg.nativeDir, name), `${bin}.new`);
      fs.chmodSync(`${bin}.new`, 0o755);
      fs.renameSync(`${bin}.new`, bin);
    }
    ensureBaseLayer(p.layersDir);
    ensureImageTopLayer(p.layersDir);
    const helpers = { mount: this.deps.mountHelper, btrfs: path.join(this.cfg.nativeDir, 'warren-btrfs') };
    this.storage = await openStorage(this.cfg.storage ?? { mode: 'auto', poolSizeGb: 64 }, this.cfg.dirs, helpers, this.log);
    await this.secrets.init();
    this.table.load(readJsonDir<SandboxRecord>(p.sandboxesDir, 'sandbox.json'));
    this.snapshots.load();
    this.builds.init();
    this.images.init();
    const swept = sweepBuildLeftovers(this.builds);
    if (swept) this.log.info({ layers: swept }, 'removed build layers no record names (a GC or a step cut short)');
    await this.reconcileStorage();
    await this.snapshots.unmountStale();
    await recoverSandboxes(this);
    // Values of sandboxes that stopped while no runner watched (or of a stop cut short) go.
    this.secrets.sweep(new Set(this.table.all().filter((r) => r.state === 'running' || r.state === 'paused').map((r) => r.key)));
    this.stopReaper = startReaper(this);
    this.stopSampler = startSampler(this, this.cfg.sampleEveryMs);
    this.stopRecentSampler = startRecentSampler(this, this.cfg.recentSampleEveryMs);
    this.stopNetWatch = startHostNetWatch(this, this.cfg.hostNetCheckMs ?? 30_000);
    void this.pool.fill();
  }

  /**
   * Subvolumes that no record names (a create or snapshot killed before its record was written,
   * a delete killed after the record went) are removed; half-made sandboxes, whose record says
   * `creating`, are finished off by recovery.
   */
  private async reconcileStorage(): Promise<void> {
    const btrfs = this.storage.btrfs;
    const onBtrfs = this.table.all().filter((r) => r.storage === 'btrfs');
    if (!btrfs) {
      if (onBtrfs.length) this.log.error({ sandboxes: onBtrfs.map((r) => r.id) }, 'these sandboxes live in the btrfs pool, which is unavailable: they cannot start until it is back');
      return;
    }
    const keys = new Set(onBtrfs.map((r) => r.key));
    const removed = await btrfs.reconcile(keys, this.snapshots.btrfsIds());
    if (removed.length) this.log.warn({ removed }, 'removed subvolumes that no record names');
  }

  storage!: Storage;

  /** The OCI runtime of a sandbox's isolation level. */
  runtimeFor(rec: Pick<SandboxRecord, 'isolation'>): OciRuntime {
    if (rec.isolation !== 'gvisor') return this.cfg.runtime;
    const g = this.cfg.gvisor;
    if (!g?.runtime || !g.support.available) throw new AppError('isolation_unavailable', `gVisor isolation is not available on this runner: ${this.gvisorReason()}`);
    return g.runtime;
  }

  /** Every runtime this runner has (recovery lists containers of each). */
  runtimes(): OciRuntime[] {
    return [this.cfg.runtime, ...(this.cfg.gvisor?.runtime ? [this.cfg.gvisor.runtime] : [])];
  }

  private gvisorReason(): string {
    const s = this.cfg.gvisor?.support;
    return s && !s.available ? s.reason : 'runsc is not configured';
  }

  storeFor(rec: SandboxRecord): WritableLayerStore {
    if ((rec.storage ?? 'image') === 'image') return this.storage.image;
    if (!this.storage.btrfs) throw new AppError('runner_unavailable', 'This sandbox lives in the btrfs pool, which is unavailable on this runner');
    return this.storage.btrfs;
  }

  private diskBytes(rec: SandboxRecord): number {
    try {
      return this.storeFor(rec).usedBytes(rec.key);
    } catch {
      return 0;
    }
  }

  /** Stops background work and lets operations in flight (a boot, a snapshot copy) finish first. */
  async shutdown(deadlineMs = 10_000): Promise<void> {
    this.stopReaper?.();
    this.stopSampler?.();
    this.stopRecentSampler?.();
    this.stopNetWatch?.();
    await this.pool.stopFilling();
    await Promise.race([this.lock.idle(), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    for (const a of this.agents.values()) a.close();
    this.agents.clear();
    this.egress.closeAll();
    this.meter.journal.close();
  }

  // ---- lifecycle -------------------------------------------------------------------------

  async create(input: CreateSandboxInput): Promise<SandboxInfo> {
    const id = input.id ?? newId();
    if (!/^[a-z0-9]{3,40}$/.test(id)) throw new AppError('validation_failed', 'Sandbox ids are 3–40 lowercase letters and digits');
    if (this.table.all().some((r) => r.id === id)) throw conflict(`A sandbox with id ${id} already exists`);
    const image = input.image && !input.snapshotId ? this.images.get(input.image) : null;
    const template = input.template ?? (image ? image.reference : 'default');
    if (!image && !input.snapshotId && template !== 'default' && template !== 'host') throw notFound(`Template ${template}`);
    const snap = input.snapshotId ? this.snapshots.get(input.snapshotId) : undefined;
    // A btrfs snapshot forks as a writable snapshot of itself over the layers under it; a copied
    // one (an image sandbox's) is a lower layer under a fresh writable layer.
    const fromSubvolume = snap?.storage === 'btrfs' ? snap.id : undefined;
    const layers = snap ? (fromSubvolume ? snap.layers.slice(1) : snap.layers) : image ? [IMAGE_TOP_LAYER, ...image.layers] : [BASE_LAYER];
    const resources = { ...DEFAULT_RESOURCES, ...input.resources };
    const isolation = input.isolation ?? 'container';
    this.runtimeFor({ isolation }); // a clear 400 now, not a failed boot later
    if (this.table.visible().length >= this.cfg.maxSandboxes) {
      throw new AppError('quota_exceeded', `This runner is full (${this.cfg.maxSandboxes} sandboxes)`);
    }
    // The pool holds runc sandboxes only: a claim resizes the member (`update`), which runsc lacks.
    const claimed = input.snapshotId || image || isolation !== 'container' ? undefined : await this.pool.claim(id, resources);
    const rec = claimed ?? (await this.createCold(id, layers, resources, false, fromSubvolume, isolation));
    return this.lock.run(rec.key, async () => {
      if (this.table.isGone(rec)) throw conflict('The sandbox was deleted while it was being created');
      faultPoint('after-runtime-call:create');
      // `running` is written together with the sandbox's configuration (network, env, TTL): a
      // crash before that save leaves `creating`, which recovery cleans up, never a sandbox
      // that runs with a configuration nobody asked for. Until then the record says `creating`
      // in memory too: any other save meanwhile (the sampler's) must not journal it running.
      Object.assign(rec, {
        snapshotId: input.snapshotId ?? null,
        template,
        image: image?.digest ?? rec.image ?? null,
        workdir: image?.config.workingDir ?? rec.workdir ?? null,
        network: input.network ?? { mode: 'none' },
        // The image's Env first: the caller's own values win.
        env: { ...(image?.config.env ?? {}), ...(input.env ?? {}) },
        secrets: { env: [], egress: [] },
        metadata: input.metadata ?? {},
        timeoutSec: input.timeoutSec ?? 0,
        idleTimeoutSec: input.idleTimeoutSec ?? 0,
        onTimeout: input.onTimeout ?? 'stop',
        expiresAt: expiry(input.timeoutSec ?? 0),
        lastActivityAt: nowIso(),
        createdAt: nowIso(),
      });
      try {
        await this.holdSecrets(rec, input.secrets);
        if (image) await this.addImageUser(rec);
        // This boot bound a bundle of the system roots alone over the sandbox's CA bundle (a pool
        // member's, or a cold create's): with egress secrets it gets the sandbox CA, in place
        // (the bind mount holds the file's inode), before anything of the caller's runs.
        if (this.secrets.get(rec.key)?.ca) this.writeTrust(rec);
        if (egressViaProxyOnly(rec)) {
          rec.env = { ...proxyEnv(), ...rec.env };
        } else if (rec.network.mode === 'egress' && !rec.slirpPid) {
          const p = sandboxPaths(this.cfg.dirs, rec.key);
          rec.slirpPid = await startEgress({ containerPid: this.initPid.get(rec.key)!, apiSocket: p.slirpApi, logFile: p.slirpLog });
        }
      } catch (err) {
        // A failed setup leaves no booted sandbox behind (a `creating` one nothing would reap).
        await this.destroy(rec).catch((e) => this.log.warn({ err: e, sandbox: rec.id }, 'could not remove a sandbox whose setup failed'));
        throw err;
      }
      faultPoint('mid-setup:create');
      rec.state = 'running';
      this.table.save(rec);
      // The egress proxy (allow-lists, or egress secrets with slirp egress), after the save: a
      // crash in between leaves a running record, whose proxy recovery starts again.
      await this.egress.attach(rec);
      this.log.info({ sandbox: rec.id, pooled: Boolean(claimed) }, 'sandbox created');
      this.agent(id).warm(); // its first command usually follows at once
      return publicInfo(rec);
    });
  }

  /**
   * Commands run as uid 1000 by default; an image that has no such user gets a `user` entry in
   * its passwd and group (written inside the sandbox, into its own upper layer), so `whoami`, a
   * shell prompt and tools that look the user up work. An image without /bin/sh just skips it.
   */
  private async addImageUser(rec: SandboxRecord): Promise<void> {
    const has = (file: string) => `grep -q '^[^:]*:[^:]*:1000:' ${file} 2>/dev/null`;
    const script = `${has('/etc/passwd')} || echo 'user:x:1000:1000:Sandbox user:/home/user:/bin/sh' >> /etc/passwd; ${has('/etc/group')} || echo 'user:x:1000:' >> /etc/group`;
    await this.agentOf(rec)
      .exec({ argv: ['/bin/sh', '-c', script], uid: 0, gid: 0, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 5000 })
      .catch((err) => this.log.debug({ err, sandbox: rec.id }, 'could not add the sandbox user to the image'));
  }

  /**
   * A brand-new container: record first (so a crash leaves a trace to clean), then its writable
   * layer (empty, or a writable snapshot of btrfs snapshot `fromSnapshot`), then boot.
   */
  async createCold(
    id: string,
    layers: string[],
    resources: SandboxInfo['resources'],
    pooled: boolean,
    fromSnapshot?: string,
    isolation: Isolation = 'container',
  ): Promise<SandboxRecord> {
    const key = `k${newId(15)}`;
    const slot = this.table.freeSlot();
    const rec: SandboxRecord = {
      id, key, slot, uidBase: uidBaseForSlot(slot), layers, pooled, slirpPid: null,
      state: 'creating', reason: null, template: 'default', snapshotId: null, resources,
      network: { mode: 'none' }, env: {}, secrets: { env: [], egress: [] }, metadata: {}, createdAt: nowIso(), startedAt: null, stoppedAt: null,
      expiresAt: null, timeoutSec: 0, idleTimeoutSec: 0, lastActivityAt: nowIso(),
      storage: fromSnapshot ? 'btrfs' : this.storage.kind,
      isolation,
    };
    this.table.save(rec);
    // Under the sandbox's lock: a delete or stop that arrives meanwhile waits for the boot.
    return this.lock.run(key, async () => {
      try {
        if (fromSnapshot) await this.storage.btrfs!.fork(fromSnapshot, key, resources.diskMb);
        else await this.storeFor(rec).create(key, resources.diskMb);
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

  start(id: string, input: { secrets?: SandboxSecretsInput } = {}): Promise<SandboxInfo> {
    const rec = this.table.get(id);
    return this.locked(rec, async () => {
      if (rec.state !== 'stopped') throw conflict(`Sandbox is ${rec.state}; only a stopped sandbox can be started`);
      if (this.offlineMounts.has(rec.key)) throw conflict('The sandbox files are being read or written; start it again in a moment');
      // Resolved again by the console for this start: held before the boot, which binds the CA
      // bundle when there are egress secrets.
      await this.holdSecrets(rec, input.secrets);
      let booted: Awaited<ReturnType<typeof boot>>;
      try {
        booted = await boot(this.deps, rec);
      } catch (err) {
        this.secrets.drop(rec.key);
        throw err;
      }
      const { pid, slirpPid } = booted;
      faultPoint('after-runtime-call:start');
      this.initPid.set(rec.key, pid);
      Object.assign(rec, { state: 'running', reason: null, slirpPid, startedAt: nowIso(), stoppedAt: null, expiresAt: expiry(rec.timeoutSec), lastActivityAt: nowIso(), lastSeenAt: undefined });
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
      if (rec.state === 'paused') await this.runtimeFor(rec).resume(rec.key).catch(() => {});
      this.dropAgent(rec.key);
      this.egress.detach(rec);
      (rec as MeteredRecord).cpuMsAtStop = cpuMsOf(rec.key);
      await halt(this.deps, rec);
      this.secrets.drop(rec.key);
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
      await this.runtimeFor(rec).pause(rec.key);
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
      await this.runtimeFor(rec).resume(rec.key);
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
    if (rec.state === 'paused') await this.runtimeFor(rec).resume(rec.key).catch(() => {});
    if (rec.state === 'running' || rec.state === 'paused') (rec as MeteredRecord).cpuMsAtStop = cpuMsOf(rec.key);
    this.dropAgent(rec.key);
    this.egress.detach(rec);
    await halt(this.deps, rec);
    this.secrets.drop(rec.key);
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
    await this.storeFor(rec).remove(rec.key);
    faultPoint('mid-remove:delete');
    // The record goes last: a crash before it leaves the record (saying `deleting`) for
    // recovery to finish, never a disk image that no record names.
    for (const name of fs.existsSync(p.home) ? fs.readdirSync(p.home) : []) {
      if (name !== 'sandbox.json') fs.rmSync(path.join(p.home, name), { recursive: true, force: true });
    }
    fs.rmSync(p.home, { recursive: true, force: true });
    this.table.forget(rec);
  }

  // ---- secrets (README: Secrets) ---------------------------------------------------------

  /**
   * Holds a boot's secrets in the memory-backed store (never the record, which keeps names,
   * hosts and revisions) and makes the sandbox's egress CA when it has egress-only secrets.
   */
  private async holdSecrets(rec: SandboxRecord, input: SandboxSecretsInput | undefined): Promise<void> {
    const env = input?.env ?? {};
    const egress = input?.egress ?? [];
    for (const name of [...Object.keys(env), ...egress.map((s) => s.name)]) {
      if (Object.hasOwn(rec.env, name)) throw new AppError('validation_failed', `${name} is both an env variable and a secret of this sandbox`);
    }
    rec.secrets = { env: Object.keys(env), egress: egress.map(({ name, hosts, revision }) => ({ name, hosts, revision })) };
    if (!Object.keys(env).length && !egress.length) {
      this.secrets.drop(rec.key);
      return;
    }
    const ca = egress.length ? (this.secrets.get(rec.key)?.ca ?? (await this.freshCa())) : null;
    const placeholders = Object.fromEntries(egress.map((s) => [s.name, s.placeholder]));
    this.secrets.set(rec.key, { env, egress, placeholders, ca });
  }

  /**
   * A new CA for a sandbox, from one made ahead in the background: making one (a P-256 key and a
   * signature) is most of what egress secrets add to a create.
   */
  private spareCa: Promise<CaMaterial> | null = null;
  private async freshCa(): Promise<CaMaterial> {
    const ca = await (this.spareCa ?? createCa());
    this.spareCa = createCa();
    this.spareCa.catch(() => {
      this.spareCa = null;
    });
    return ca;
  }

  /** What boot binds over the sandbox's CA bundle (README: Secrets, trust). */
  private trustFor(rec: SandboxRecord): { bundle: string; caPem: string | null } | null {
    const ca = this.secrets.get(rec.key)?.ca ?? null;
    // A pool member or a fresh create may still get egress secrets: its bundle is bound now
    // (system roots only) and rewritten in place when they arrive.
    if (!ca && !rec.pooled && rec.state !== 'creating') return null;
    return { bundle: ca ? caBundle(ca.certPem) : caBundle(null), caPem: ca?.certPem ?? null };
  }

  private writeTrust(rec: SandboxRecord): void {
    const trust = this.trustFor(rec);
    if (!trust) return;
    const p = sandboxPaths(this.cfg.dirs, rec.key);
    fs.writeFileSync(path.join(p.egressDir, 'ca-certificates.crt'), trust.bundle, { mode: 0o644 });
    if (trust.caPem) fs.writeFileSync(path.join(p.egressDir, 'warren-ca.crt'), trust.caPem, { mode: 0o644 });
  }

  updateEgressSecrets(id: string, egress: EgressSecret[]): SandboxInfo {
    const rec = this.table.get(id);
    if (rec.state !== 'running' && rec.state !== 'paused') throw conflict(`Sandbox is ${rec.state}; its secrets are resolved again when it starts`);
    const held = this.secrets.get(rec.key);
    const mine = new Set([...rec.secrets.env, ...Object.keys(held?.placeholders ?? {})]);
    const kept = egress.filter((s) => mine.has(s.name));
    if (held) this.secrets.set(rec.key, { ...held, egress: kept });
    rec.secrets = { ...rec.secrets, egress: kept.map(({ name, hosts, revision }) => ({ name, hosts, revision })) };
    this.table.save(rec);
    return publicInfo(rec);
  }

  secretEnv(id: string): Record<string, string> {
    const held = this.secrets.get(this.table.get(id).key);
    if (!held) return {};
    const placeholders = held.placeholders ?? {};
    const egress = Object.keys(placeholders).length ? { ...proxyEnv(), ...caEnv() } : {};
    return { ...egress, ...held.env, ...placeholders };
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
    return this.agentOf(rec);
  }

  /** The agent client of a booted sandbox, whatever its recorded state (create's own setup). */
  private agentOf(rec: SandboxRecord): AgentClient {
    let a = this.agents.get(rec.key);
    if (!a) {
      const socket = agentSocketOf(sandboxPaths(this.cfg.dirs, rec.key), rec.isolation);
      const held = this.agentHolds.get(rec.key);
      a = held
        ? new AgentClient(
            async () => {
              await held;
              return net.createConnection(socket);
            },
            { keepSpare: true },
          )
        : AgentClient.forSocket(socket, { keepSpare: true });
      this.agents.set(rec.key, a);
    }
    return a;
  }

  /** Work that must finish before anything talks to a sandbox's agent (a claimed pool member's rename). */
  private agentHolds = new Map<string, Promise<void>>();
  holdAgentUntil(key: string, work: Promise<void>): void {
    const done = work.catch(() => {}).finally(() => {
      if (this.agentHolds.get(key) === done) this.agentHolds.delete(key);
      // The client made meanwhile stays (its waits are over): with it, the connection it keeps
      // ready for the sandbox's first command (made at create, once the hold ends).
    });
    this.agentHolds.set(key, done);
    this.dropAgent(key);
  }

  /** Forgets a sandbox's agent client, closing the connection it kept for the next call. */
  private dropAgent(key: string) {
    this.agents.get(key)?.close();
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
    // gVisor's ports live in its own network stack, not in a host netns: the port service
    // reaches them through the sandbox's agent instead (never here).
    if (rec.isolation === 'gvisor') throw new AppError('internal', 'A gVisor sandbox has no network namespace to enter; its ports are reached through its agent');
    const pid = this.liveInitPid(rec);
    if (!pid) throw new AppError('runner_unavailable', 'The sandbox is not running any more');
    return `/proc/${pid}/ns/net`;
  }

  /**
   * The host pid of the sandbox's init, only while it still is that (its root is the sandbox's
   * host uid): a reused pid would aim a namespace entry at someone else's process.
   */
  liveInitPid(rec: SandboxRecord): number | undefined {
    const pid = this.initPid.get(rec.key);
    return pid && processUid(pid) === rec.uidBase ? pid : undefined;
  }

  /** Host pid of each running container's init, refreshed on boot and recovery. */
  readonly initPid = new Map<string, number>();
  readonly recent = new RecentMetrics();

  /** Live figures, plus the recent history samples newer than `sinceMs` (all kept ones without it). */
  async metrics(id: string, sinceMs?: number): Promise<SandboxMetrics> {
    const rec = this.table.get(id);
    const usage = rec.state === 'running' || rec.state === 'paused' ? cgroupUsage(cgroupsPathFor(rec.key)) : { cpuSeconds: 0, memoryBytes: 0, pids: 0 };
    if ((rec.storage ?? 'image') !== 'image') await this.storeFor(rec).settle?.(rec.key);
    const diskBytes = (rec.storage ?? 'image') === 'image' ? await imageDiskUsed(sandboxPaths(this.cfg.dirs, rec.key)) : this.diskBytes(rec);
    return { ...usage, diskBytes, recent: this.recent.since(rec.key, sinceMs) };
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
      isolation: {
        container: { available: true },
        gvisor: this.cfg.gvisor?.runtime && this.cfg.gvisor.support.available ? { available: true } : { available: false, reason: this.gvisorReason() },
      },
    };
  }

  async applyResources(rec: SandboxRecord, r: SandboxInfo['resources']) {
    await this.runtimeFor(rec).update(rec.key, {
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

/** A mounted image's own count of used blocks (its file's blocks lag until the kernel writes back). */
async function imageDiskUsed(p: ReturnType<typeof sandboxPaths>): Promise<number> {
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

