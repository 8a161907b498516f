import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './exec-file';
import { findBinary } from './preflight';
import { OciRuntime } from './runc';

/**
 * gVisor's `runsc` as the runtime of `isolation: 'gvisor'` sandboxes: the sandbox's processes
 * talk to gVisor's user-space kernel (the Sentry, under ptrace), never to the host's. Same OCI
 * bundle as runc, with these differences (README: Isolation levels):
 * - `--host-uds=all`: the agent binds its socket in /run/warren (the sandbox's own tmpfs, mounted
 *   nosymfollow on the host) and the Gofer makes it a host socket the runner connects to. runsc
 *   cannot hand a pre-bound socket in as fd 3 as runc does. (The other direction, a sandbox
 *   connecting to the egress proxy's host socket, is refused by this runsc: EACCES.)
 * - `--network=none`: the sandbox has only gVisor's own loopback. Netfilter rules in a netns do
 *   not see gVisor's traffic (it writes raw frames to its device), so a slirp tap could not be
 *   filtered there. Egress goes through the runner's proxy alone, over streams the runner opens
 *   to the agent (egress-relay.ts), the direction that works.
 * - `--oci-seccomp`: the spec's profile is applied inside the Sentry too (runsc ignores it otherwise).
 * - `--overlay2=none`: writes go through the Gofer to the sandbox's overlay on the host, where
 *   snapshots, stopped-sandbox files and disk quotas see them (not to a memory-backed overlay).
 *   The root mount keeps runsc's default `--file-access=exclusive`: only the sandbox changes its
 *   rootfs while it runs (the runner's files API goes through the agent inside).
 * - No `update`: a running sandbox cannot be resized, so gVisor sandboxes are never pooled.
 */
export class GvisorRuntime extends OciRuntime {
  override readonly canUpdate = false;

  protected override args(...rest: string[]): string[] {
    return ['--root', this.root, ...GVISOR_FLAGS, ...rest];
  }

  override async run(id: string, bundle: string, logFile: string): Promise<void> {
    await this.spawnLogged(this.binary, this.args('run', '-detach', '--bundle', bundle, id), logFile);
  }

  override update(): Promise<string> {
    return Promise.reject(new Error('runsc cannot resize a running sandbox'));
  }
}

// --host-uds=all, not create: with create, the agent's socket bound inside never answered the
// runner here (tried 2026-12-01: every gVisor lifecycle test timed out). all also lets a sandbox
// connect to a host unix socket it can see in its mounts, if this runsc let it (it does not: EACCES);
// the proxy's socket is never used by a gVisor sandbox (its egress is relayed through the agent).
export const GVISOR_FLAGS = ['--platform=ptrace', '--network=none', '--host-uds=all', '--oci-seccomp', '--overlay2=none'];

export type GvisorSupport = { available: true } | { available: false; reason: string };

/**
 * Whether this host can run gVisor sandboxes: runsc is installed and runs a trivial bundle (the
 * host's /, read-only, running /bin/true) to completion. ptrace, the platform used, needs no
 * hardware virtualisation, but a kernel or seccomp setup can still refuse it.
 */
export async function probeGvisor(binaryName = 'runsc'): Promise<{ support: GvisorSupport; binary: string | null }> {
  const binary = findBinary(binaryName) ?? null;
  if (!binary) return { binary, support: { available: false, reason: `${binaryName} is not installed (apt-get install runsc)` } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-gvisor-probe-'));
  try {
    const spec = {
      ociVersion: '1.0.2',
      process: { user: { uid: 0, gid: 0 }, args: ['/bin/true'], env: ['PATH=/usr/bin:/bin'], cwd: '/' },
      root: { path: '/', readonly: true },
      hostname: 'probe',
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
      linux: { namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })) },
    };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
    const root = path.join(dir, 'state');
    await run(binary, ['--root', root, ...GVISOR_FLAGS, '--ignore-cgroups', 'run', '--bundle', dir, `probe${process.pid}`], { timeout: 60_000 });
    return { binary, support: { available: true } };
  } catch (err) {
    const msg = (err as Error).message.trim().split('\n').slice(-2).join(' ');
    return { binary, support: { available: false, reason: `runsc could not run a trivial sandbox: ${msg}` } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
