import fs from 'node:fs';
import path from 'node:path';
import { cgroupDirs } from '../runtime/cgroups';
import { mountsUnder, unmount } from '../runtime/disk';
import { unmountRootfs } from '../runtime/mounts';
import { isSlirpFor, startEgress, stopEgress } from '../runtime/network';
import { hasCurrentHardening } from '../runtime/oci-spec';
import { egressViaProxyOnly } from './egress-mode';
import { expiry, nowIso } from './defaults';
import { waitForSocket } from '@/lib/net/wait-for-socket';
import { boot, cgroupsPathFor, halt, rootfsPlan } from './lifecycle';
import type { LocalSandboxManager } from './local-manager';
import type { MeteredRecord } from './meter';
import { agentSocketOf, SANDBOX_AGENT_SOCKET, sandboxPaths } from './paths';
import type { OciRuntime } from '../runtime/runc';

/**
 * At start-up the runner rediscovers its sandboxes from their records and the runtime's
 * state, and never kills a live one: running containers are adopted as they are (their
 * egress restarted if it died), containers that vanished (host reboot) become `stopped` with
 * their files intact, and half-made creations and half-done deletes are removed.
 */
export async function recoverSandboxes(m: LocalSandboxManager): Promise<void> {
  const known = new Set(m.table.all().map((r) => r.key));
  for (const runtime of m.runtimes()) {
    for (const c of await runtime.list()) {
      if (!known.has(c.id)) {
        m.log.warn({ container: c.id }, 'removing a container without a record');
        await runtime.kill(c.id);
        await runtime.delete(c.id);
      }
    }
  }
  await removeOrphanDirs(m, known);

  for (const rec of m.table.all()) {
    const p = sandboxPaths(m.cfg.dirs, rec.key);
    // A crash between a journal append and the record write leaves the journal one step ahead:
    // take the journal's word for what was last journaled, so the state recovery settles on is
    // journaled if it differs (a thawed snapshot freeze, say), and never silently kept.
    m.meter.resync(rec);
    // The record names its isolation level, so the right runtime is asked. gVisor sandboxes on a
    // runner that lost runsc are recorded as stopped (their files kept) until it is back.
    let runtime: OciRuntime;
    try {
      runtime = m.runtimeFor(rec);
    } catch (err) {
      m.log.error({ sandbox: rec.id, err: (err as Error).message }, 'cannot recover this sandbox at its isolation level');
      if (rec.state === 'running' || rec.state === 'paused') Object.assign(rec, { state: 'stopped', reason: 'isolation unavailable', stoppedAt: nowIso(), expiresAt: null });
      m.table.save(rec);
      continue;
    }
    const state = await runtime.state(rec.key);
    const alive = state && (state.status === 'running' || state.status === 'paused');

    if (rec.state === 'creating' || rec.deleting) {
      await m.destroy(rec).catch((err) => m.log.error({ err, sandbox: rec.id }, `could not clean a half-${rec.deleting ? 'deleted' : 'created'} sandbox`));
      continue;
    }

    if (alive && !startedHardened(p.bundle, rec.isolation === 'gvisor' ? SANDBOX_AGENT_SOCKET : undefined)) {
      // Started by an older runner (another seccomp profile or capability set): a pool member
      // has nothing of anyone's yet, so it is replaced rather than handed out; a user's sandbox
      // keeps running and gets the current hardening at its next start.
      if (rec.pooled) {
        m.log.info({ sandbox: rec.id }, 'replacing a pooled sandbox started with older hardening');
        await m.destroy(rec).catch((err) => m.log.error({ err, sandbox: rec.id }, 'could not remove a stale pooled sandbox'));
        continue;
      }
      m.log.warn({ sandbox: rec.id }, 'sandbox runs with older hardening (seccomp, capabilities) until it is stopped and started');
    }

    if (alive && state.status === 'paused' && rec.state === 'running') {
      // Frozen by a snapshot copy that a crash cut short: nobody asked for a pause, so thaw it.
      await runtime.resume(rec.key).then(
        () => {
          state.status = 'running';
        },
        (err) => m.log.error({ err, sandbox: rec.id }, 'could not thaw a sandbox frozen by an interrupted snapshot'),
      );
    }

    if (alive) {
      m.initPid.set(rec.key, state.pid);
      if (rec.state !== 'running' && rec.state !== 'paused') {
        // Live although recorded as stopped (a crash inside start, before its save): adopt it
        // with a fresh TTL, so the hard timeout still applies.
        Object.assign(rec, { startedAt: nowIso(), stoppedAt: null, reason: null, expiresAt: expiry(rec.timeoutSec) });
      }
      rec.state = state.status === 'paused' ? 'paused' : 'running';
      const agentSocket = agentSocketOf(p, rec.isolation);
      if (rec.state === 'running' && !fs.existsSync(agentSocket)) {
        // Started by an older runner, whose agent socket lived where the sandbox could swap it:
        // restart it into the current layout (files kept, processes not).
        m.log.warn({ sandbox: rec.id }, 'restarting a sandbox from an older runner layout');
        await halt(m.deps, rec);
        const booted = await boot(m.deps, rec);
        m.initPid.set(rec.key, booted.pid);
        rec.slirpPid = booted.slirpPid;
      }
      if (rec.state === 'running') await waitForSocket(agentSocket, 2000).catch(() => m.log.warn({ sandbox: rec.id }, 'agent socket not answering after restart'));
      // Only the recorded slirp is kept: one started by a create or start that crashed before
      // recording it may not have its firewall yet, so it is replaced, never adopted.
      const recorded = rec.slirpPid && isSlirpFor(rec.slirpPid, p.slirpApi) ? rec.slirpPid : null;
      stopEgress(p.slirpApi, egressViaProxyOnly(rec) ? null : recorded);
      if (egressViaProxyOnly(rec)) {
        // Allow-listed sandboxes never get slirp (the proxy is their only way out).
        rec.slirpPid = null;
      } else if (rec.network.mode === 'egress' && !recorded) {
        rec.slirpPid = await startEgress({ containerPid: state.pid, apiSocket: p.slirpApi, logFile: p.slirpLog }).catch(() => null);
      }
      m.table.save(rec);
      if (rec.state === 'running' && !rec.pooled) await m.egress.attach(rec).catch((err) => m.log.warn({ err, sandbox: rec.id }, 'egress proxy not restored'));
      m.log.info({ sandbox: rec.id, state: rec.state }, 'adopted running sandbox');
      continue;
    }

    if (state) await runtime.delete(rec.key);
    stopEgress(p.slirpApi); // a crash inside halt (or before a pid was saved) leaves one behind
    rec.slirpPid = null;
    if (rec.state !== 'stopped' && rec.state !== 'error') {
      if (rec.pooled) {
        await m.destroy(rec).catch(() => {});
        continue;
      }
      // Stopped when it was last seen alive (the host went down, or the runner during a stop),
      // else now. Only a sample of this run counts: one of an earlier run dated the stop before
      // this run began (the run billed as nothing, stoppedAt before startedAt).
      const lastSeen = lastSeenAlive(rec as MeteredRecord);
      Object.assign(rec, { state: 'stopped', reason: 'host restarted', stoppedAt: lastSeen ?? nowIso(), slirpPid: null, expiresAt: null });
    }
    // A sandbox with no container has nothing mounted: a boot, stop or file access cut short can
    // leave any part (its agent's tmpfs is mounted first, the overlay last), so all of it goes.
    await Promise.resolve()
      .then(() => unmountRootfs(rootfsPlan(m.deps, rec, p)))
      .catch(() => {});
    for (const mnt of (await mountsUnder(p.run)).sort((a, b) => b.length - a.length)) await unmount(mnt).catch(() => {});
    m.table.save(rec);
  }
}

/**
 * Sandbox dirs that no record names: a create killed before its first record write got as far as
 * making the home (or the run dir). Nothing refers to them, so whatever they hold goes: mounts,
 * slirp, cgroups, then the dirs (never a recursive delete over something still mounted).
 */
async function removeOrphanDirs(m: LocalSandboxManager, known: Set<string>): Promise<void> {
  const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  for (const key of new Set([...list(m.paths.sandboxesDir), ...list(m.paths.sbRunDir)])) {
    if (known.has(key)) continue;
    const p = sandboxPaths(m.cfg.dirs, key);
    for (const mnt of (await mountsUnder(p.run)).sort((a, b) => b.length - a.length)) await unmount(mnt).catch(() => {});
    if ((await mountsUnder(p.run)).length + (await mountsUnder(p.home)).length > 0) {
      m.log.error({ key }, 'leftover sandbox dirs are still mounted; leaving them');
      continue;
    }
    m.log.warn({ key }, 'removing sandbox dirs without a record');
    stopEgress(p.slirpApi);
    for (const dir of cgroupDirs(cgroupsPathFor(key))) {
      try {
        fs.rmdirSync(dir); // cgroupfs: rmdir, and only once empty
      } catch {}
    }
    fs.rmSync(p.run, { recursive: true, force: true });
    fs.rmSync(p.home, { recursive: true, force: true });
  }
}

function startedHardened(bundle: string, agentSocket?: string): boolean {
  try {
    return hasCurrentHardening(JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')), agentSocket);
  } catch {
    return false;
  }
}

/** A record's last sample of its current run; undefined when this run was never sampled (a
 * sample of an earlier run, taken before its latest start, says nothing about this one). */
export function lastSeenAlive(rec: MeteredRecord): string | undefined {
  if (!rec.lastSeenAt) return undefined;
  if (rec.startedAt && Date.parse(rec.lastSeenAt) < Date.parse(rec.startedAt)) return undefined;
  return rec.lastSeenAt;
}
