import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec-file';
import { type HostNetworks, readHostNetworks } from './host-net';
import { REFUSED_V4 } from './ip-ranges';

/**
 * Egress for a sandbox: slirp4netns attached to its network namespace, in user mode, with
 * --disable-host-loopback so the sandbox can reach the internet but never the host's
 * loopback services (Postgres, the console, the runner). It runs in its own session so a
 * runner restart leaves it (and the sandbox's connections) alone; its pid is recorded.
 */
export async function startEgress(opts: { containerPid: number; apiSocket: string; logFile: string }): Promise<number> {
  fs.rmSync(opts.apiSocket, { force: true });
  const log = fs.openSync(opts.logFile, 'a');
  try {
    const child = spawn(
      'slirp4netns',
      [
        '--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp',
        '--api-socket', opts.apiSocket, '--ready-fd', '3', String(opts.containerPid), 'tap0',
      ],
      { detached: true, stdio: ['ignore', log, log, 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('slirp4netns did not become ready within 5s')), 5000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`slirp4netns exited with ${code}; see ${opts.logFile}`));
      });
      (child.stdio[3] as NodeJS.ReadableStream).once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child.removeAllListeners('exit');
    (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
    child.unref();
    try {
      await applyEgressFirewall(opts.containerPid);
    } catch (err) {
      stopEgress(opts.apiSocket); // fail closed: no egress without its firewall
      throw err;
    }
    return child.pid!;
  } finally {
    fs.closeSync(log);
  }
}

/**
 * slirp4netns forwards to anything the host can reach. Rules in the sandbox's own netns (it has
 * no CAP_NET_ADMIN, so it cannot change them, and no CAP_NET_RAW, so no packet socket writes
 * frames past them) keep egress to the public internet: slirp's DNS stays reachable, and
 * private, CGNAT, link-local (cloud metadata), multicast and reserved ranges are refused, and so
 * are the host's own networks whatever their range: its addresses, the prefixes it is attached
 * to or routes, and its gateways (see host-net.ts; the runner re-applies these when they change). slirp
 * gives no IPv6 (no --enable-ipv6), and ip6tables refuses any all the same.
 * iptables-restore replaces the table in one step, so re-applying never opens a gap.
 */
export async function applyEgressFirewall(containerPid: number, host?: HostNetworks): Promise<void> {
  const h = host ?? (await readHostNetworks());
  const netns = `--net=/proc/${containerPid}/ns/net`;
  await run('nsenter', [netns, 'iptables-restore', '-w'], { input: egressRules([...REFUSED_V4, ...h.v4]) });
  if (fs.existsSync('/proc/net/if_inet6')) await run('nsenter', [netns, 'ip6tables-restore', '-w'], { input: NO_IPV6 });
}

export function egressRules(refused: string[]): string {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A OUTPUT -o lo -j ACCEPT',
    '-A OUTPUT -d 10.0.2.3/32 -p udp --dport 53 -j ACCEPT',
    '-A OUTPUT -d 10.0.2.3/32 -p tcp --dport 53 -j ACCEPT',
    ...refused.map((cidr) => `-A OUTPUT -d ${cidr} -j REJECT`),
    'COMMIT',
    '',
  ].join('\n');
}

const NO_IPV6 = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT DROP [0:0]', '-A OUTPUT -o lo -j ACCEPT', '-A OUTPUT -j REJECT', 'COMMIT', ''].join('\n');

/**
 * Stops a sandbox's slirp4netns, found by the sandbox's own API socket in its command line
 * rather than by the recorded pid alone: a runner killed between starting slirp and saving its
 * pid leaves one nobody recorded, holding the sandbox's netns until something ends it (and pids
 * are reused). `keep` is spared.
 */
export function stopEgress(apiSocket: string, keep: number | null = null): void {
  for (const pid of slirpsServing(apiSocket)) {
    if (pid === keep) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/** Whether `pid` is the slirp4netns of the sandbox whose API socket is `apiSocket` (pids are reused). */
export function isSlirpFor(pid: number, apiSocket: string): boolean {
  const argv = cmdline(pid);
  return path.basename(argv[0] ?? '') === 'slirp4netns' && argv[argv.indexOf('--api-socket') + 1] === apiSocket;
}

function slirpsServing(apiSocket: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => isSlirpFor(pid, apiSocket));
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}
