import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { run } from './exec-file';

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
      stopEgress(child.pid!); // fail closed: no egress without its firewall
      throw err;
    }
    return child.pid!;
  } finally {
    fs.closeSync(log);
  }
}

/**
 * slirp4netns forwards to anything the host can reach. Rules in the sandbox's own netns (it has
 * no CAP_NET_ADMIN, so it cannot change them) keep egress to the public internet: slirp's DNS
 * stays reachable, and private, CGNAT, link-local (cloud metadata), multicast and reserved
 * ranges and every address of this host are refused.
 */
const REFUSED = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
];

export async function applyEgressFirewall(containerPid: number): Promise<void> {
  const hostAddrs = Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => `${i!.address}/32`);
  const rules = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A OUTPUT -o lo -j ACCEPT',
    '-A OUTPUT -d 10.0.2.3/32 -p udp --dport 53 -j ACCEPT',
    '-A OUTPUT -d 10.0.2.3/32 -p tcp --dport 53 -j ACCEPT',
    ...[...REFUSED, ...hostAddrs].map((cidr) => `-A OUTPUT -d ${cidr} -j REJECT`),
    'COMMIT',
    '',
  ].join('\n');
  await run('nsenter', [`--net=/proc/${containerPid}/ns/net`, 'iptables-restore', '-w'], { input: rules });
}

export function stopEgress(pid: number | null): void {
  if (!pid || !isSlirp(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

export function isSlirp(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'slirp4netns';
  } catch {
    return false;
  }
}
