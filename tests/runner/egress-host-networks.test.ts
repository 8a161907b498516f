import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * Slirp egress against the host's own networks, whatever their range. A "neighbour" on a LAN
 * the host is attached to is simulated by a network namespace behind a veth pair, in public-
 * looking space (198.51.100.0/28, which no static rule refuses), with a real service on it. The
 * sandbox tries to reach it; the host can. The LAN appears while a sandbox already runs, so the
 * runner must notice and re-apply that sandbox's rules.
 */
const ns = `warren-nb-${process.pid}`;
const hostIf = `wnh${process.pid % 100000}`;
const peerIf = `wnp${process.pid % 100000}`;
const NEIGHBOUR = '198.51.100.2';
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

describe("slirp egress and the host's networks (real containers)", () => {
  let r: RunnerHandle;
  let early: string;
  let server: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    r = await startRunner({ env: { WARREN_RUNNER_HOST_NET_CHECK_MS: '300' } });
    early = (await r.client.create({ network: { mode: 'egress' } })).id;
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    try {
      ip('link', 'del', hostIf);
    } catch {}
    try {
      ip('netns', 'del', ns);
    } catch {}
    await r?.destroy();
  });

  const probe = async (id: string, targets: Array<[string, number]>) =>
    (
      await r.client.exec(id, {
        cmd: sh(`python3 -c "
import socket
for host, port in ${JSON.stringify(targets).replaceAll('"', "'")}:
    try:
        s = socket.create_connection((host, port), 3)
    except OSError as e:
        print(host, 'refused' if e.errno == 111 else e.strerror or repr(e)); continue
    s.settimeout(1)
    try:
        print(host, 'OPEN', s.recv(100).decode().strip())
    except OSError:
        print(host, 'OPEN')"`),
        timeoutSec: 30,
      })
    ).stdout;

  const rulesOf = (id: string, tool: 'iptables' | 'ip6tables') => {
    const { key } = readRecord(r.dataDir, id);
    const state = JSON.parse(execFileSync('runc', ['--root', path.join(r.runDir, 'runc'), 'state', key], { encoding: 'utf8' }));
    return execFileSync('nsenter', [`--net=/proc/${state.pid}/ns/net`, tool, '-S', 'OUTPUT'], { encoding: 'utf8' });
  };

  it("refuses the host's subnet and default gateway, and has no IPv6 at all", async () => {
    const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'default'], { encoding: 'utf8' })) as Array<{ gateway?: string }>;
    const gateway = routes.find((x) => x.gateway)?.gateway;
    const rules = rulesOf(early, 'iptables');
    expect(gateway).toBeTruthy();
    expect(rules).toContain(`-A OUTPUT -d ${gateway}/32 -j REJECT`);
    const subnets = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'scope', 'link'], { encoding: 'utf8' })) as Array<{ dst: string }>;
    const attached = subnets.map((s) => (s.dst.includes('/') ? s.dst : `${s.dst}/32`)).filter((c) => Number(c.split('/')[1]) >= 8);
    expect(attached.length).toBeGreaterThan(0);
    for (const c of attached) expect(rules).toContain(`-A OUTPUT -d ${c} -j REJECT`);
    expect(rulesOf(early, 'ip6tables')).toContain('-P OUTPUT DROP');
    const v6 = await r.client.exec(early, {
      cmd: sh(`ip -6 route show | grep -v '^fe80' | grep -c . ; python3 -c "
import socket
try:
    socket.create_connection(('2606:4700:4700::1111', 443), 3); print('OPEN')
except OSError as e:
    print(e.strerror)"`),
    });
    expect(v6.stdout).toBe('0\nNetwork is unreachable\n');
  });

  it('refuses a neighbour on a LAN that appears while the sandbox runs, and keeps the internet', async () => {
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peerIf, 'netns', ns);
    ip('addr', 'add', '198.51.100.1/28', 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('-n', ns, 'addr', 'add', `${NEIGHBOUR}/28`, 'dev', peerIf);
    ip('-n', ns, 'link', 'set', peerIf, 'up');
    server = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', `
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(b'neighbour service\\n'); c.close()`]);
    port = Number(await new Promise<string>((res) => server!.stdout!.once('data', (d) => res(String(d)))));

    // The host reaches the neighbour: the service is real and the path works.
    const fromHost = await new Promise<string>((res, rej) => {
      const c = net.connect(port, NEIGHBOUR);
      c.once('data', (d) => res(String(d).trim()));
      c.once('error', rej);
    });
    expect(fromHost).toBe('neighbour service');

    // A sandbox created now gets the rules at once.
    const late = (await r.client.create({ network: { mode: 'egress' } })).id;
    expect(await probe(late, [[NEIGHBOUR, port]])).toBe(`${NEIGHBOUR} refused\n`);

    // The one that was already running gets them within a few check periods.
    let seen = '';
    for (let i = 0; i < 40 && seen !== `${NEIGHBOUR} refused\n`; i++) {
      seen = await probe(early, [[NEIGHBOUR, port]]);
      if (seen !== `${NEIGHBOUR} refused\n`) await new Promise((res) => setTimeout(res, 250));
    }
    expect(seen).toBe(`${NEIGHBOUR} refused\n`);
    expect(rulesOf(early, 'iptables')).toContain('-A OUTPUT -d 198.51.100.0/28 -j REJECT');

    // And both still reach the public internet (the npm registry is reachable from here).
    for (const id of [early, late]) expect(await probe(id, [['registry.npmjs.org', 443]])).toMatch(/^registry\.npmjs\.org OPEN/);
  });
});
