import fs from 'node:fs';
import path from 'node:path';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { cgroupDirs } from '../runtime/cgroups';
import { hardOpenFilesLimit } from '../runtime/host-limits';
import { mountRootfs, type RootfsPlan, unmountRootfs } from '../runtime/mounts';
import { startEgress, stopEgress } from '../runtime/network';
import { buildSpec } from '../runtime/oci-spec';
import type { OciRuntime } from '../runtime/runc';
import { AGENT_SOCKET_NAME, type RunnerDirs, type SandboxPaths, sandboxPaths, UID_COUNT } from './paths';
import type { SandboxRecord } from './store';

/**
 * Turning a sandbox record into a running container and back. `boot` mounts the rootfs,
 * writes the OCI bundle, starts the container and waits for its agent; `halt` undoes all of
 * it and leaves only the durable parts (record and disk image).
 */
export type LifecycleDeps = {
  dirs: RunnerDirs;
  runtime: OciRuntime;
  mountHelper: string;
  agentBinDir: string;
  layerDir: (layerId: string) => string;
};

export const cgroupsPathFor = (key: string) => `/warren/${key}`;

export function rootfsPlan(deps: LifecycleDeps, rec: SandboxRecord, p: SandboxPaths = sandboxPaths(deps.dirs, rec.key)): RootfsPlan {
  return {
    mountHelper: deps.mountHelper,
    uidBase: rec.uidBase,
    uidCount: UID_COUNT,
    diskImage: p.diskImage,
    diskMount: p.diskMount,
    upper: p.upper,
    work: p.work,
    layerDirs: rec.layers.map(deps.layerDir),
    lowerMounts: rec.layers.map((_, i) => p.lower(i)),
    usrMount: p.usr,
    rootfs: p.rootfs,
    runDir: p.run,
    agentDir: p.agentDir,
    ctlDir: p.ctlDir,
    egressDir: p.egressDir,
  };
}

export async function boot(deps: LifecycleDeps, rec: SandboxRecord): Promise<{ pid: number; slirpPid: number | null }> {
  const p = sandboxPaths(deps.dirs, rec.key);
  try {
    await mountRootfs(rootfsPlan(deps, rec, p));
    const spec = buildSpec({
      rootfs: p.rootfs,
      hostname: `sb-${rec.id.slice(0, 12)}`,
      uidBase: rec.uidBase,
      uidCount: UID_COUNT,
      cgroupsPath: cgroupsPathFor(rec.key),
      cpu: rec.resources.cpu,
      memoryMb: rec.resources.memoryMb,
      pids: pidsLimit(rec.resources.memoryMb),
      agentDir: p.agentDir,
      egressDir: p.egressDir,
      agentBinDir: deps.agentBinDir,
      usrDir: p.usr,
      maxOpenFiles: Math.min(65536, hardOpenFilesLimit()),
    });
    fs.mkdirSync(p.bundle, { recursive: true });
    fs.writeFileSync(path.join(p.bundle, 'config.json'), JSON.stringify(spec));
    // The agent's socket is bound in ctl/ (root-only, not in the sandbox) and handed in as fd 3.
    await deps.runtime.run(rec.key, p.bundle, p.log, { helper: deps.mountHelper, dir: p.ctlDir, name: AGENT_SOCKET_NAME });
    const state = await deps.runtime.state(rec.key);
    if (!state?.pid) throw new Error(`the container exited right after starting: ${logTail(p.log)}`);
    await waitForSocket(p.agentSocket, 5000, { everyMs: 2 }).catch(() => {
      throw new Error('the sandbox agent did not answer within 5 s; see its log');
    });
    // With an allow-list there is no slirp network: the egress proxy is the only way out.
    const slirpPid =
      rec.network.mode === 'egress' && !rec.network.allow?.length
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
  await deps.runtime.kill(rec.key);
  await deps.runtime.delete(rec.key);
  stopEgress(p.slirpApi);
  rec.slirpPid = null;
  const plan = rootfsPlan(deps, rec, p);
  await unmountRootfs(plan);
  // Only empty mount points and sockets are removed here: never a recursive delete under
  // a path that could still be a mount.
  for (const dir of [plan.rootfs, plan.usrMount, plan.diskMount, ...plan.lowerMounts]) rmdirQuiet(dir);
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

/** Pids scale with memory: enough for real work, few enough that a fork bomb stalls. */
export function pidsLimit(memoryMb: number): number {
  return Math.max(128, Math.min(4096, Math.floor(memoryMb / 2)));
}
