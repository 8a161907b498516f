import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';
import { ISOLATION_LEVELS } from './levels';

/**
 * The isolation battery: what code inside a sandbox must never be able to do to the host,
 * the runner, or other sandboxes. Each test tries the attack for real.
 */
describe.each(ISOLATION_LEVELS)('sandbox isolation (real sandboxes, isolation %s)', (isolation) => {
  let r: RunnerHandle;
  let id: string;
  const canary = `/tmp/warren-canary-${process.pid}-${Date.now()}`;
  const secret = `host-secret-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    fs.writeFileSync(canary, secret);
    r = await startRunner();
    id = (await r.client.create({ isolation, resources: { cpu: 1, memoryMb: 256, diskMb: 128 } })).id;
  });
  afterAll(async () => {
    fs.rmSync(canary, { force: true });
    await r?.destroy();
  });

  const run = async (script: string, user: 'user' | 'root' = 'user') =>
    r.client.exec(id, { cmd: sh(script), user, timeoutSec: 60 });

  it('cannot read a file the host wrote, by any path', async () => {
    const out = await run(`cat ${canary}; cat /proc/1/root${canary}; grep -r ${secret} /tmp /etc /home /root 2>/dev/null; ls /work /root 2>&1`, 'root');
    expect(out.stdout + out.stderr).not.toContain(secret);
    expect(out.stdout + out.stderr).toContain('No such file');
  });

  it('sees its own /etc, not the host one', async () => {
    const out = await run('cat /etc/hostname; grep -c . /etc/passwd');
    expect(out.stdout).toBe('sandbox\n3\n');
  });

  it("cannot reach the host's Postgres (or anything on the host's loopback)", async () => {
    const probe = `python3 -c "
import socket
for host in ['127.0.0.1', '10.0.2.2']:
    try:
        socket.create_connection((host, 5432), 2); print(host, 'OPEN')
    except OSError as e:
        print(host, 'closed')
"`;
    expect((await run(probe)).stdout).not.toContain('OPEN');
    // With egress enabled, slirp4netns runs with --disable-host-loopback: still closed. And a
    // service the host binds on all interfaces, reached by the host's own address, is refused too.
    const server = net.createServer((c) => c.end('host service\n'));
    await new Promise<void>((res) => server.listen(0, '0.0.0.0', res));
    const port = (server.address() as net.AddressInfo).port;
    const hostIps = Object.values(os.networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    // A gVisor sandbox's egress is the runner's proxy alone (relayed through its agent): it has
    // no route of its own to anything, which these probes check.
    const egress = await r.client.create({ isolation, network: { mode: 'egress' } });
    const out = await r.client.exec(egress.id, { cmd: sh(probe) });
    expect(out.stdout).toContain('10.0.2.2 closed');
    expect(out.stdout).not.toContain('OPEN');
    const targets = [...hostIps.map((ip) => [ip, port] as const), ['169.254.169.254', 80] as const];
    const reach = await r.client.exec(egress.id, {
      cmd: sh(`python3 -c "
import socket
for host, port in ${JSON.stringify(targets).replaceAll('"', "'")}:
    try:
        socket.create_connection((host, port), 2); print(host, 'OPEN')
    except OSError:
        print(host, 'refused')"`),
    });
    server.close();
    expect(hostIps.length).toBeGreaterThan(0);
    expect(reach.stdout).not.toContain('OPEN');
    expect(reach.stdout).toContain('169.254.169.254 refused');
    await r.client.delete(egress.id);
  });

  it('is not host root: what sandbox root writes belongs to an unprivileged host uid range', async () => {
    await run('touch /home/user/by-root', 'root');
    const rec = readRecord(r.dataDir, id);
    expect(rec.uidBase).toBeGreaterThanOrEqual(65536);
    // On the host, in the sandbox's writable layer: its root is the record's unprivileged uid.
    const upper = path.join(r.runDir, 'sb', rec.key, 'disk', 'upper', 'home', 'user', 'by-root');
    expect(fs.statSync(upper).uid).toBe(rec.uidBase);
    if (isolation === 'container') {
      // runc: a user namespace of 65536 ids from that base (gVisor's Sentry keeps its own).
      const out = await run('cat /proc/self/uid_map; id -u', 'root');
      const [inside, hostStart, size] = out.stdout.trim().split(/\s+/).map(Number);
      expect(inside).toBe(0);
      expect(hostStart).toBe(rec.uidBase);
      expect(size).toBe(65536);
    }
  });

  it('cannot mount filesystems or load kernel modules, even as sandbox root', async () => {
    const mount = await run('mount -t tmpfs none /mnt 2>&1; echo rc=$?', 'root');
    expect(mount.stdout).toMatch(/rc=(?!0)\d+/);
    const mod = await run(
      `python3 -c "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.init_module(None, 0, b'')
print(rc, os.strerror(ctypes.get_errno()))"`,
      'root',
    );
    expect(mod.stdout).toMatch(/^-1 Operation not permitted/);
  });

  /**
   * Under runc the cgroup's pids and memory limits stop the bomb inside the sandbox, which keeps
   * answering. Under gVisor they apply to the Sentry's own host threads and memory: the bomb
   * ends the whole sandbox, which the runner records as stopped. Either way the runner and
   * every other sandbox are untouched.
   */
  const bomb = async (script: string, check: (out: { stdout: string; exitCode: number | null; signal: string | null }) => void) => {
    const victim = await r.client.create({ isolation, resources: { cpu: 1, memoryMb: 256, diskMb: 128 } });
    const out = await r.client.exec(victim.id, { cmd: sh(script), timeoutSec: 60 }).catch(() => null);
    if (isolation === 'container') {
      check(out!);
      expect((await r.client.exec(victim.id, { cmd: ['echo', 'alive'] })).stdout).toBe('alive\n');
    } else {
      await expect.poll(async () => (await r.client.get(victim.id)).state, { timeout: 15_000 }).toBe('stopped');
      expect((await r.client.get(victim.id)).reason).toMatch(/^(oom|exited)$/);
    }
    expect((await run('echo survived')).stdout).toBe('survived\n');
    expect((await r.client.health()).ok).toBe(true);
    await r.client.delete(victim.id);
  };

  it('a fork bomb is stopped by the pids limit while the runner and other sandboxes keep answering', async () => {
    await bomb(
      `python3 -c "
import os, time
n = 0
try:
    while True:
        pid = os.fork()
        if pid == 0:
            time.sleep(20); os._exit(0)
        n += 1
except OSError as e:
    print(n, e.errno)
"; pkill -9 -u user sleep; pkill -9 -u user -f 'import os' ; true`,
      (out) => {
        const [forked, errno] = out.stdout.trim().split(' ').map(Number);
        expect(errno).toBe(11); // EAGAIN: the cgroup's pids limit
        expect(forked).toBeLessThan(5000);
      },
    );
  });

  it('a memory hog is killed by its limit while the runner and other sandboxes keep answering', async () => {
    await bomb('python3 -c "b = bytearray(1024 * 1024 * 1024); print(len(b))"', (hog) => {
      expect(hog.stdout).not.toContain('1073741824');
      expect(hog.exitCode === 137 || hog.signal === 'SIGKILL' || hog.exitCode === -1).toBe(true);
    });
  });

  it('a symlink to / planted in the sandbox does not let the file API read host files', async () => {
    await run(`ln -sfn / /home/user/rootlink; ln -sfn ${canary} /home/user/canary; ln -sfn ../../../../../.. /home/user/up`);
    // runsc 2022's Sentry resolves a path through a symlink to "/" as the directory itself (EISDIR):
    // wrong, but inward; the reads that matter, of host files, are refused at both levels.
    const throughRoot = isolation === 'container' ? 'sandbox\n' : expect.anything();
    expect(await r.client.files.readBuffer(id, '/home/user/rootlink/etc/hostname').then(String, (e) => e.status)).toEqual(throughRoot);
    await expect(r.client.files.readBuffer(id, '/home/user/canary')).rejects.toMatchObject({ status: 404 });
    await expect(r.client.files.readBuffer(id, `/home/user/up${canary}`)).rejects.toMatchObject({ status: 404 });
    await expect(r.client.files.readBuffer(id, `/../../..${canary}`)).rejects.toMatchObject({ status: 404 });
    // The same holds when the sandbox is stopped and its files are served from the host side.
    await r.client.stop(id);
    expect((await r.client.files.readBuffer(id, '/home/user/rootlink/etc/hostname')).toString()).toBe('sandbox\n');
    await expect(r.client.files.readBuffer(id, '/home/user/canary')).rejects.toMatchObject({ status: 404 });
    await expect(r.client.files.readBuffer(id, `/home/user/up${canary}`)).rejects.toMatchObject({ status: 404 });
    await r.client.start(id);
  });

  it('filling the disk stops at the quota', async () => {
    const out = await run('dd if=/dev/zero of=/home/user/fill bs=1M count=400 2>&1; echo rc=$?; du -m /home/user/fill | cut -f1');
    expect(out.stdout).toMatch(/No space left on device|Disk quota exceeded/); // ext4 image or btrfs quota group
    const usedMb = Number(out.stdout.trim().split('\n').at(-1));
    expect(usedMb).toBeLessThanOrEqual(128);
    await run('rm -f /home/user/fill');
    expect((await run('echo writable again > /home/user/ok; cat /home/user/ok')).stdout).toBe('writable again\n');
  });
});

/**
 * Egress policy at each level: a container's open egress is slirp behind netfilter, its allow-list
 * the runner's proxy through a bridge to the proxy's socket; a gVisor sandbox's egress (open or
 * allow-listed) is the proxy alone, relayed through its agent. The policy is the same: a
 * stand-in for a public host (the test-only WARREN_TEST_EGRESS_HOSTS name, served on loopback)
 * is reached by name, private, host and metadata addresses never.
 */
describe.each(ISOLATION_LEVELS)('egress (real sandboxes, isolation %s)', (isolation) => {
  const PUBLIC = 'public.warren.test';
  let r: RunnerHandle;
  let publicSrv: http.Server;
  let hostSrv: http.Server;
  let publicPort: number;
  let hostPort: number;
  beforeAll(async () => {
    // The "public" host (the proxy maps its name to loopback in test mode) and a host service
    // on every interface, which must stay out of reach by any of the host's addresses.
    publicSrv = http.createServer((_q, res) => res.end('public hello\n'));
    hostSrv = http.createServer((_q, res) => res.end('host service\n'));
    await new Promise<void>((res) => publicSrv.listen(0, '127.0.0.1', res));
    await new Promise<void>((res) => hostSrv.listen(0, '0.0.0.0', res));
    publicPort = (publicSrv.address() as net.AddressInfo).port;
    hostPort = (hostSrv.address() as net.AddressInfo).port;
    r = await startRunner({ env: { NODE_ENV: 'test', WARREN_TEST_EGRESS_HOSTS: `${PUBLIC}=127.0.0.1` } });
  });
  afterAll(async () => {
    await r?.destroy();
    publicSrv?.close();
    hostSrv?.close();
  });

  it('reaches an allowed public name; never a host service on a private address or the metadata address', async () => {
    const hostIps = Object.values(os.networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    expect(hostIps.length).toBeGreaterThan(0);
    const curl = (id: string, url: string) =>
      // Each call its own body file: two at once must not read each other's (a shared one was
      // truncated by the second curl before the first's cat).
      r.client.exec(id, { cmd: sh(`b=$(mktemp); curl -s --max-time 8 -o "$b" -w '%{http_code}' '${url}'; echo; cat "$b" 2>/dev/null`), timeoutSec: 60 });
    const listed = await r.client.create({ isolation, network: { mode: 'egress', allow: [PUBLIC], ports: [publicPort, hostPort, 80] } });
    const ok = await curl(listed.id, `http://${PUBLIC}:${publicPort}/`);
    expect(ok.stdout).toBe('200\npublic hello\n');
    // Twice more at once: each connection gets its own stream.
    const both = await Promise.all([curl(listed.id, `http://${PUBLIC}:${publicPort}/a`), curl(listed.id, `http://${PUBLIC}:${publicPort}/b`)]);
    expect(both.map((o) => o.stdout)).toEqual(['200\npublic hello\n', '200\npublic hello\n']);
    const open = await r.client.create({ isolation, network: { mode: 'egress' } });
    for (const sb of [listed, open]) {
      for (const ip of hostIps) {
        const out = await curl(sb.id, `http://${ip}:${hostPort}/`);
        expect(out.stdout).not.toContain('host service');
        expect(out.stdout).toMatch(/^(000|403)\n/);
      }
      const meta = await curl(sb.id, 'http://169.254.169.254/latest/meta-data/');
      expect(meta.stdout).toMatch(/^(000|403)\n/);
    }
    const named = await curl(open.id, `http://${PUBLIC}:${publicPort}/`);
    // Open egress: a gVisor sandbox's proxy resolves the name; slirp's real DNS does not know it.
    if (isolation === 'gvisor') expect(named.stdout).toBe('200\npublic hello\n');
    else expect(named.stdout).toMatch(/^000\n/);
    await r.client.delete(listed.id);
    await r.client.delete(open.id);
  });

  it('keeps its egress across a runner restart, a stop/start and a pause/resume', async () => {
    const sb = await r.client.create({ isolation, network: { mode: 'egress', allow: [PUBLIC], ports: [publicPort] } });
    const get = async (p: string) =>
      (await r.client.exec(sb.id, { cmd: sh(`curl -s --max-time 8 http://${PUBLIC}:${publicPort}/${p}`), timeoutSec: 60 })).stdout;
    expect(await get('before')).toBe('public hello\n');
    await r.restart();
    // The proxy (and at gvisor the relay's listener in the agent) is back within a few seconds.
    let after = '';
    for (let i = 0; i < 10 && after !== 'public hello\n'; i++) {
      after = await get('restart');
      if (after !== 'public hello\n') await new Promise((res) => setTimeout(res, 500));
    }
    expect(after).toBe('public hello\n');
    await r.client.stop(sb.id);
    await r.client.start(sb.id);
    expect(await get('start')).toBe('public hello\n');
    await r.client.pause(sb.id);
    await r.client.resume(sb.id);
    expect(await get('resume')).toBe('public hello\n');
    await r.client.delete(sb.id);
  }, 120_000);

  it('has no network of its own and reaches only allow-listed, non-local hosts through the proxy', async () => {
    const sb = await r.client.create({ isolation, network: { mode: 'egress', allow: ['localhost', '*.example.test'] } });
    const run = (script: string) => r.client.exec(sb.id, { cmd: sh(script), timeoutSec: 30 });
    expect((await run('echo $HTTPS_PROXY')).stdout).toBe('http://127.0.0.1:3128\n');
    const connect = (host: string) => `python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', 3128), 5)
s.sendall(b'CONNECT ${host}:443 HTTP/1.1\\r\\nHost: ${host}:443\\r\\n\\r\\n')
import time; time.sleep(0.3); print(s.recv(400).decode())"`;
    const notListed = await run(connect('registry.npmjs.org'));
    expect(notListed.stdout).toContain('403');
    expect(notListed.stdout).toContain('not on this sandbox');
    const local = await run(connect('localhost'));
    expect(local.stdout).toContain('403'); // allowed by name, refused because it is the host's loopback
    const direct = await run(`python3 -c "
import socket
for host in ['10.0.2.2', '1.1.1.1']:
    try:
        socket.create_connection((host, 80), 2); print(host, 'OPEN')
    except OSError as e:
        print(host, 'no route')"`);
    expect(direct.stdout).not.toContain('OPEN');
  });

  it('opens only ports 80 and 443 through the proxy unless the policy lists others', async () => {
    const connect = (id: string, target: string) =>
      r.client.exec(id, {
        cmd: sh(`python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', 3128), 5)
s.sendall(b'CONNECT ${target} HTTP/1.1\\r\\nHost: ${target}\\r\\n\\r\\n')
import time; time.sleep(0.3); print(s.recv(400).decode())"`),
        timeoutSec: 30,
      });
    const sb = await r.client.create({ isolation, network: { mode: 'egress', allow: ['registry.npmjs.org'] } });
    expect((await connect(sb.id, 'registry.npmjs.org:443')).stdout).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    for (const port of [22, 5432]) {
      const out = (await connect(sb.id, `registry.npmjs.org:${port}`)).stdout;
      expect(out).toMatch(/^HTTP\/1\.1 403 Forbidden/);
      expect(out).toContain(`port ${port} is not open to this sandbox`);
    }
    const custom = await r.client.create({ isolation, network: { mode: 'egress', allow: ['registry.npmjs.org'], ports: [8443] } });
    expect((await connect(custom.id, 'registry.npmjs.org:443')).stdout).toContain('port 443 is not open to this sandbox');
    await expect(r.client.create({ isolation, network: { mode: 'egress', ports: [22] } })).rejects.toMatchObject({ status: 400 });
  });
});

