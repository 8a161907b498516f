import fs from 'node:fs';
import path from 'node:path';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { cgroupDirs } from '../runtime/cgroups';
import { hardOpenFilesLimit } from '../runtime/host-limits';
import { mountRootfs, type RootfsPlan, unmountRootfs } from '../runtime/mounts';
import { startEgress, stopEgress } from '../runtime/network';
import { buildSpec } from '../runtime/oci-spec';
import type { OciRuntime } from '../runtime/runc';
import type { WritableLayerStore } from '../storage/types';
import { usesHostUsr } from '../runtime/template';
import { AGENT_SOCKET_NAME, agentSocketOf, type RunnerDirs, SANDBOX_AGENT_SOCKET, type SandboxPaths, sandboxPaths, UID_COUNT } from './paths';
import { egressViaProxyOnly } from './egress-mode';
import type { SandboxRecord } from './store';

/**
 * Turning a sandbox record into a running container and back. `boot` mounts the rootfs,
 * writes the OCI bundle, starts the container and waits for its agent; `halt` undoes all of
 * it and leaves only the durable parts (record and writable layer).
 */

/** The host name a sandbox's shell shows: its id (a pool member is renamed when claimed, see warm-pool.ts). */
export const hostnameFor = (id: string) => `sb-${id.slice(0, 12)}`;

export type LifecycleDeps = {
  dirs: RunnerDirs;
  /** The runtime of the sandbox's isolation level (runc, or runsc for gVisor). */
  runtimeFor: (rec: SandboxRecord) => OciRuntime;
  mountHelper: string;
  agentBinDir: string;
  layerDir: (layerId: string) => string;
  /** The store holding a sandbox's writable layer (runner/storage). */
  storeFor: (rec: SandboxRecord) => WritableLayerStore;
  /** The CA bundle to bind over the sandbox's system one (egress-only secrets), if any. */
  trustFor?: (rec: SandboxRecord) => { bundle: string; caPem: string | null } | null;
  /** Awaited between a boot's process-starting steps (a warm-pool member's boot yields to claims). */
  pace?: (rec: SandboxRecord) => Promise<void>;
};

export const cgroupsPathFor = (key: string) => `/warren/${key}`;

export function rootfsPlan(deps: LifecycleDeps, rec: SandboxRecord, p: SandboxPaths = sandboxPaths(deps.dirs, rec.key)): RootfsPlan {
  return {
    mountHelper: deps.mountHelper,
    uidBase: rec.uidBase,
    uidCount: UID_COUNT,
    key: rec.key,
    disk: deps.storeFor(rec),
    diskMount: p.diskMount,
    upper: p.upper,
    work: p.work,
    layerDirs: rec.layers.map(deps.layerDir),
    lowerMounts: rec.layers.map((_, i) => p.lower(i)),
    usrMount: usesHostUsr(rec.layers) ? p.usr : null,
    rootfs: p.rootfs,
    runDir: p.run,
    agentDir: p.agentDir,
    ctlDir: p.ctlDir,
    egressDir: p.egressDir,
    pace: deps.pace && (() => deps.pace!(rec)),
  };
}

export async function boot(deps: LifecycleDeps, rec: SandboxRecord): Promise<{ pid: number; slirpPid: number | null }> {
  const p = sandboxPaths(deps.dirs, rec.key);
  const runtime = deps.runtimeFor(rec);
  const gvisor = rec.isolation === 'gvisor';
  const agentSocket = agentSocketOf(p, rec.isolation);
  try {
    await mountRootfs(rootfsPlan(deps, rec, p));
    // The bundle lives in the root-owned egress tmpfs (bound read-only): nothing inside can
    // change it, and the CA's key is never written anywhere the sandbox reaches.
    const trust = deps.trustFor?.(rec) ?? null;
    const caBundle = trust ? path.join(p.egressDir, 'ca-certificates.crt') : undefined;
    if (trust) {
      fs.writeFileSync(caBundle!, trust.bundle, { mode: 0o644 });
      if (trust.caPem) fs.writeFileSync(path.join(p.egressDir, 'warren-ca.crt'), trust.caPem, { mode: 0o644 });
    }
    const spec = buildSpec({
      caBundle,
      rootfs: p.rootfs,
      hostname: hostnameFor(rec.id),
      uidBase: rec.uidBase,
      uidCount: UID_COUNT,
      cgroupsPath: cgroupsPathFor(rec.key),
      cpu: rec.resources.cpu,
      memoryMb: rec.resources.memoryMb,
      // Under gVisor the cgroup holds the Sentry and Gofer, whose Go runtimes keep host threads
      // (with ptrace, one per guest task that ever ran at once): headroom beyond the guest's own.
      pids: pidsLimit(rec.resources.memoryMb) + (gvisor ? GVISOR_PIDS_HEADROOM : 0),
      agentDir: p.agentDir,
      egressDir: p.egressDir,
      agentBinDir: deps.agentBinDir,
      usrDir: usesHostUsr(rec.layers) ? p.usr : null,
      maxOpenFiles: Math.min(65536, hardOpenFilesLimit()),
      agentSocket: gvisor ? SANDBOX_AGENT_SOCKET : undefined,
    });
    fs.mkdirSync(p.bundle, { recursive: true });
    fs.writeFileSync(path.join(p.bundle, 'config.json'), JSON.stringify(spec));
    // The agent's socket is bound in ctl/ (root-only, not in the sandbox) and handed in as fd 3.
    // runsc chowns the stdio it is given to the sandbox's root, which the writable layer's
    // id-mapped mount refuses: its (tiny: the agent's own messages) log lives in the root-only home.
    await deps.pace?.(rec);
    await runtime.run(rec.key, p.bundle, gvisor ? path.join(p.home, 'container.log') : p.log, { helper: deps.mountHelper, dir: p.ctlDir, name: AGENT_SOCKET_NAME });
    await deps.pace?.(rec);
    const state = await runtime.state(rec.key);
    if (!state?.pid) throw new Error(`the container exited right after starting: ${logTail(p.log)}`);
    // gVisor's Sentry boots before the agent does: more time, same bound.
    await waitForSocket(agentSocket, gvisor ? 15_000 : 5000, { everyMs: 2 }).catch(() => {
      throw new Error(`the sandbox agent did not answer within ${gvisor ? 15 : 5} s; see its log`);
    });
    // With an allow-list (or gVisor) there is no slirp network: the egress proxy is the only way out.
    const slirpPid =
      rec.network.mode === 'egress' && !egressViaProxyOnly(rec)
        ? await startEgress({ containerPid: state.pid, apiSocket: p.slirpApi, logFile: p.slirpLog })
        : null;
    return { pid: state.pid, slirpPid };
  } catch (err) {
    await halt(deps, rec).catch(() => {});
    throw err;
  }
}

export async function halt(deps: LifecycleDeps, rec: SandboxRecord): Promise<void> {
  const p = sandboxPaths(deps.dirs, rec.key);
  const runtime = deps.runtimeFor(rec);
  await runtime.kill(rec.key);
  await runtime.delete(rec.key);
  stopEgress(p.slirpApi);
  rec.slirpPid = null;
  const plan = rootfsPlan(deps, rec, p);
  await unmountRootfs(plan);
  // Only empty mount points and sockets are removed here: never a recursive delete under
  // a path that could still be a mount.
  for (const dir of [plan.rootfs, p.usr, plan.diskMount, ...plan.lowerMounts]) rmdirQuiet(dir);
  // Their tmpfs are unmounted: empty dirs (rmdir, never a recursive delete of what a sandbox wrote).
  for (const dir of [p.agentDir, p.egressDir]) rmdirQuiet(dir);
  fs.rmSync(p.ctlDir, { recursive: true, force: true }); // root-only: only the runner's socket
  fs.rmSync(p.slirpApi, { force: true });
  for (const dir of cgroupDirs(cgroupsPathFor(rec.key))) rmdirQuiet(dir);
}

function logTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ') || 'no output';
  } catch {
    return 'no log';
  }
}

/** rmdir, not rm -r: fails harmlessly on anything non-empty (such as a still-mounted dir). */
function rmdirQuiet(dir: string) {
  try {
    fs.rmdirSync(dir);
  } catch {}
}

export const GVISOR_PIDS_HEADROOM = 512;

/** Pids scale with memory: enough for real work, few enough that a fork bomb stalls. */
export function pidsLimit(memoryMb: number): number {
  return Math.max(128, Math.min(4096, Math.floor(memoryMb / 2)));
}
