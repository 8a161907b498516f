import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, sh, startRunner } from './harness';

/**
 * The isolation battery: what code inside a sandbox must never be able to do to the host,
 * the runner, or other sandboxes. Each test tries the attack for real.
 */
describe('sandbox isolation (real containers)', () => {
  let r: RunnerHandle;
  let id: string;
  const canary = `/tmp/warren-canary-${process.pid}-${Date.now()}`;
  const secret = `host-secret-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    fs.writeFileSync(canary, secret);
    r = await startRunner();
    id = (await r.client.create({ resources: { cpu: 1, memoryMb: 256, diskMb: 128 } })).id;
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
    const egress = await r.client.create({ network: { mode: 'egress' } });
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

  it('is not host root: sandbox root maps to an unprivileged host uid range', async () => {
    const out = await run('cat /proc/self/uid_map; id -u', 'root');
    const [inside, hostStart, size] = out.stdout.trim().split(/\s+/).map(Number);
    expect(inside).toBe(0);
    expect(hostStart).toBeGreaterThanOrEqual(65536);
    expect(size).toBe(65536);
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

  it('a fork bomb hits the pids limit and the sandbox keeps answering', async () => {
    const out = await run(`python3 -c "
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
"; pkill -9 -u user sleep; pkill -9 -u user -f 'import os' ; true`);
    const [forked, errno] = out.stdout.trim().split(' ').map(Number);
    expect(errno).toBe(11); // EAGAIN: the cgroup's pids limit
    expect(forked).toBeLessThan(5000);
    expect((await run('echo alive')).stdout).toBe('alive\n');
  });

  it('a memory hog is killed by its limit while the runner and other sandboxes keep answering', async () => {
    const other = await r.client.create();
    const hog = await run('python3 -c "b = bytearray(1024 * 1024 * 1024); print(len(b))"');
    expect(hog.stdout).not.toContain('1073741824');
    expect(hog.exitCode === 137 || hog.signal === 'SIGKILL' || hog.exitCode === -1).toBe(true);
    expect((await r.client.exec(other.id, { cmd: ['echo', 'still here'] })).stdout).toBe('still here\n');
    expect((await run('echo survived')).stdout).toBe('survived\n');
    expect((await r.client.health()).ok).toBe(true);
    await r.client.delete(other.id);
  });

  it('a symlink to / planted in the sandbox does not let the file API read host files', async () => {
    await run(`ln -sfn / /home/user/rootlink; ln -sfn ${canary} /home/user/canary; ln -sfn ../../../../../.. /home/user/up`);
    expect((await r.client.files.readBuffer(id, '/home/user/rootlink/etc/hostname')).toString()).toBe('sandbox\n');
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
    expect(out.stdout).toMatch(/No space left on device/);
    const usedMb = Number(out.stdout.trim().split('\n').at(-1));
    expect(usedMb).toBeLessThanOrEqual(128);
    await run('rm -f /home/user/fill');
    expect((await run('echo writable again > /home/user/ok; cat /home/user/ok')).stdout).toBe('writable again\n');
  });
});

describe('egress allow-list (real containers)', () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner();
  });
  afterAll(() => r?.destroy());

  it('has no network of its own and reaches only allow-listed, non-local hosts through the proxy', async () => {
    const sb = await r.client.create({ network: { mode: 'egress', allow: ['localhost', '*.example.test'] } });
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
    const sb = await r.client.create({ network: { mode: 'egress', allow: ['registry.npmjs.org'] } });
    expect((await connect(sb.id, 'registry.npmjs.org:443')).stdout).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    for (const port of [22, 5432]) {
      const out = (await connect(sb.id, `registry.npmjs.org:${port}`)).stdout;
      expect(out).toMatch(/^HTTP\/1\.1 403 Forbidden/);
      expect(out).toContain(`port ${port} is not open to this sandbox`);
    }
    const custom = await r.client.create({ network: { mode: 'egress', allow: ['registry.npmjs.org'], ports: [8443] } });
    expect((await connect(custom.id, 'registry.npmjs.org:443')).stdout).toContain('port 443 is not open to this sandbox');
    await expect(r.client.create({ network: { mode: 'egress', ports: [22] } })).rejects.toMatchObject({ status: 400 });
  });
});
