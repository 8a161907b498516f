import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPS } from '@/runner/runtime/oci-spec';
import { allowedSyscallNames, REFUSED_BEFORE, seccompProfile } from '@/runner/runtime/seccomp';
import { type RunnerHandle, readRecord, sh, startRunner } from './harness';

/**
 * The seccomp allow-list and the capability set, attacked from inside a real sandbox as its
 * root, and the everyday tools that must keep working under them.
 */
describe('seccomp profile (as written)', () => {
  it('is an allow-list that refuses with EPERM and allows nothing the old deny-list refused', () => {
    const p = seccompProfile();
    expect(p.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(p.defaultErrnoRet).toBe(1);
    const allowed = allowedSyscallNames();
    expect(REFUSED_BEFORE.filter((name) => allowed.has(name))).toEqual([]);
    // What Docker grants only with capabilities Warren does not give.
    for (const name of ['unshare', 'setns', 'mount', 'bpf', 'perf_event_open', 'kcmp', 'pidfd_getfd', 'process_madvise', 'mbind', 'set_mempolicy', 'get_mempolicy', 'vhangup', 'sethostname', 'io_uring_setup', 'userfaultfd']) {
      expect(allowed.has(name), name).toBe(false);
    }
    expect(CAPS).not.toContain('CAP_NET_RAW');
    expect(CAPS).not.toContain('CAP_SYS_ADMIN');
    expect(CAPS).not.toContain('CAP_SYS_PTRACE');
  });

  it("gVisor's profile differs only where runsc reads profiles its own way", () => {
    const rules = (gvisor: boolean) => seccompProfile({ gvisor }).syscalls.map((r) => JSON.stringify(r));
    const container = new Set(rules(false));
    const onlyGvisor = rules(true).filter((r) => !container.has(r));
    // pselect6 under gVisor's name; clone3 passed to the Sentry, which answers ENOSYS itself
    // (runsc would turn the profile's ENOSYS into EPERM, which glibc does not fall back on).
    expect(onlyGvisor.map((r) => JSON.parse(r))).toEqual([
      { names: ['clone3'], action: 'SCMP_ACT_ALLOW' },
      { names: ['pselect'], action: 'SCMP_ACT_ALLOW' },
    ]);
    expect(rules(true).length).toBe(container.size + 1);
  });

  it("names only syscalls libseccomp knows, but for those newer than this host's libseccomp (no typos)", () => {
    // runc silently skips a name libseccomp cannot resolve: a typo would refuse a syscall unnoticed.
    const names = [...new Set(seccompProfile().syscalls.flatMap((r) => r.names))];
    const unknown = execFileSync('python3', ['-c', `
import ctypes, json, sys
lib = ctypes.CDLL('libseccomp.so.2')
arches = [0xc000003e, 0x40000003, 0xc00000b7, 0x40000028]  # x86_64, x86, aarch64, arm
print(json.dumps([n for n in json.load(sys.stdin) if all(lib.seccomp_syscall_resolve_name_arch(a, n.encode()) == -1 for a in arches)]))`], { input: JSON.stringify(names), encoding: 'utf8' });
    const newer = [
      ...['cachestat', 'fchmodat2', 'map_shadow_stack', 'futex_wake', 'futex_wait', 'futex_requeue'], // Linux 6.5–6.7: libseccomp 2.5.5
      ...['getxattrat', 'listmount', 'listxattrat', 'mseal', 'removexattrat', 'setxattrat', 'statmount', 'uretprobe'], // 2.6
    ];
    expect(JSON.parse(unknown).filter((n: string) => !newer.includes(n))).toEqual([]);
  });
});

describe('sandbox hardening (real containers)', () => {
  let r: RunnerHandle;
  let id: string;
  beforeAll(async () => {
    r = await startRunner();
    id = (await r.client.create({ network: { mode: 'egress' }, resources: { cpu: 1, memoryMb: 512, diskMb: 256 } })).id;
  });
  afterAll(() => r?.destroy());

  const run = async (script: string, user: 'user' | 'root' = 'root') => {
    const out = await r.client.exec(id, { cmd: sh(script), user, timeoutSec: 120 });
    expect(out.stderr).toBe('');
    return out.stdout;
  };
  const syscalls = (calls: Record<string, string>) => `python3 -c "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def sc(*a):
    r = libc.syscall(*[ctypes.c_long(x) for x in a])
    return str(r) if r >= 0 else os.strerror(ctypes.get_errno())
${Object.entries(calls)
  .map(([name, call]) => `print('${name}:', sc(${call}))`)
  .join('\n')}
"`;

  it('refuses syscalls outside the allow-list that the old deny-list let through (EPERM)', async () => {
    // x86_64 numbers. get/set_mempolicy need CAP_SYS_NICE in Docker's profile; personality only
    // takes the values Docker lists (ADDR_NO_RANDOMIZE, i.e. `setarch -R`, is not one).
    const out = await run(
      syscalls({
        get_mempolicy: '239, 0, 0, 0, 0, 0',
        set_mempolicy: '238, 0, 0, 0',
        'personality(ADDR_NO_RANDOMIZE)': '135, 0x0040000',
        'personality(READ_IMPLIES_EXEC)': '135, 0x0400000',
        'personality(query)': '135, 0xffffffff',
        'clone(CLONE_NEWUSER)': '56, 0x10000000 | 17, 0, 0, 0, 0',
        clone3: '435, 0, 0',
      }),
    );
    expect(out).toContain('get_mempolicy: Operation not permitted');
    expect(out).toContain('set_mempolicy: Operation not permitted');
    expect(out).toContain('personality(ADDR_NO_RANDOMIZE): Operation not permitted');
    expect(out).toContain('personality(READ_IMPLIES_EXEC): Operation not permitted');
    expect(out).toMatch(/personality\(query\): \d+\n/);
    expect(out).toContain('clone(CLONE_NEWUSER): Operation not permitted');
    expect(out).toContain('clone3: Function not implemented'); // so libc falls back to clone
  });

  it('cannot open vsock (the hypervisor and the VM) or AF_ALG sockets, by any door', async () => {
    const out = await run(
      syscalls({
        'socket(AF_VSOCK)': '41, 40, 1, 0',
        'socket(2^32 + AF_VSOCK)': '41, (1 << 32) | 40, 1, 0', // the kernel keeps the low 32 bits
        'socket(AF_ALG)': '41, 38, 5, 0',
        'socket(AF_INET)': '41, 2, 1, 0',
        'socket(AF_UNIX)': '41, 1, 1, 0',
        'socket(AF_NETLINK)': '41, 16, 3, 0',
      }),
    );
    expect(out).toContain('socket(AF_VSOCK): Operation not permitted');
    expect(out).toContain('socket(2^32 + AF_VSOCK): Operation not permitted');
    expect(out).toContain('socket(AF_ALG): Operation not permitted');
    expect(out).toMatch(/socket\(AF_INET\): \d+\n/);
    expect(out).toMatch(/socket\(AF_UNIX\): \d+\n/);
    expect(out).toMatch(/socket\(AF_NETLINK\): \d+\n/);
    // 32-bit syscalls from a 64-bit process (int 0x80): socketcall(SYS_SOCKET) carries the family
    // in memory seccomp cannot read, so it is closed; the direct 32-bit socket(2) is checked.
    // A kernel without IA-32 emulation (ia32_emulation=0) kills any int 0x80 with SIGSEGV, host
    // and sandbox alike: then the sandbox must crash the same way (no door at all).
    const src = `cat > /tmp/i.c <<'C'
#include <stdio.h>
#include <sys/mman.h>
int main(void) {
  unsigned int *a = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  a[0] = 40; a[1] = 1; a[2] = 0; /* AF_VSOCK, SOCK_STREAM, 0 */
  int viacall, direct, inet;
  __asm__ volatile("int $0x80" : "=a"(viacall) : "a"(102), "b"(1), "c"(a) : "memory");
  __asm__ volatile("int $0x80" : "=a"(direct) : "a"(359), "b"(40), "c"(1), "d"(0) : "memory");
  __asm__ volatile("int $0x80" : "=a"(inet) : "a"(359), "b"(2), "c"(1), "d"(0) : "memory");
  printf("socketcall=%d socket=%d inet=%d\\n", viacall, direct, inet);
  return 0;
}
C
gcc -O0 -o /tmp/i /tmp/i.c`;
    const ia32 = hostHasIa32(src);
    // bash reports a crash on its own stderr, which is thrown away: stdout tells the exit status.
    const out32 = await run(`${src} && bash -c '/tmp/i; echo "exit=$?"' 2>/dev/null`);
    if (ia32) expect(out32).toMatch(/^socketcall=-38 socket=-1 inet=\d+\nexit=0\n$/);
    else expect(out32).toBe('exit=139\n');
  });

  it('has no CAP_NET_RAW: no raw or packet sockets (they would bypass the egress firewall), no ping', async () => {
    const out = await run(`grep CapBnd /proc/self/status; python3 -c "
import socket
for name, args in [('raw icmp', (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)), ('packet', (socket.AF_PACKET, socket.SOCK_RAW, 0x0300)), ('icmp datagram', (socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP))]:
    try:
        socket.socket(*args); print(name, 'OPEN')
    except OSError as e:
        print(name, e.strerror)
"`);
    const bnd = BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(out)![1]}`);
    expect(bnd & (1n << 13n)).toBe(0n); // CAP_NET_RAW
    expect(out).toContain('raw icmp Operation not permitted');
    expect(out).toContain('packet Operation not permitted');
    expect(out).not.toContain('OPEN'); // ping's unprivileged ICMP sockets are off (ping_group_range)
  });

  it('cannot go around the egress firewall by writing a TCP SYN onto the tap device', async () => {
    // A host service on a non-loopback address: the firewall refuses it to sockets. With a packet
    // socket (CAP_NET_RAW), a hand-made SYN reaches slirp directly, slirp connects on the host's
    // behalf and answers SYN-ACK: that is how the old capability set went around every rule.
    const hostIp = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)!.address;
    let accepted = 0;
    const server = net.createServer((c) => {
      accepted++;
      c.destroy();
    });
    await new Promise<void>((res) => server.listen(0, hostIp, res));
    const port = (server.address() as net.AddressInfo).port;
    const out = await run(`python3 - <<'PY'
import os, socket, struct, time
DST, PORT = '${hostIp}', ${port}
try:
    socket.create_connection((DST, PORT), 2); print('socket OPEN')
except OSError as e:
    print('socket', e.strerror)
socket.getaddrinfo('registry.npmjs.org', 443)  # an answer from slirp's DNS leaves its MAC in the ARP table
slirp = bytes.fromhex([l.split()[3] for l in open('/proc/net/arp') if l.startswith('10.0.2.3 ')][0].replace(':', ''))
me = bytes.fromhex(open('/sys/class/net/tap0/address').read().strip().replace(':', ''))
def csum(b):
    b += b'\\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
src, dst = socket.inet_aton('10.0.2.100'), socket.inet_aton(DST)
tcp = struct.pack('!HHIIBBHHH', 40000 + os.getpid() % 20000, PORT, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
tcp = tcp[:16] + struct.pack('!H', csum(src + dst + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
try:
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
except OSError as e:
    print('packet', e.strerror); raise SystemExit
p.bind(('tap0', 0)); p.settimeout(3)
p.send(slirp + me + b'\\x08\\x00' + ip + tcp)
try:
    while True:
        f = p.recv(2000)
        if f[23] == 6 and f[26:30] == dst: print('packet reply flags', hex(f[47])); break
except socket.timeout:
    print('packet no reply')
PY`);
    await new Promise((res) => setTimeout(res, 200));
    server.close();
    expect(out).toBe('socket Connection refused\npacket Operation not permitted\n');
    expect(accepted).toBe(0);
  });

  it('runs the everyday tools: bash, python3, node, gcc, git, a PTY, pip, npm, socat', async () => {
    const out = await run(
      `set -e
bash -c 'sleep 0.01 & wait; echo bash ok'
python3 -c "
import multiprocessing, os, pty, subprocess, threading
t = threading.Thread(target=print, args=('thread ok',)); t.start(); t.join()
print(subprocess.run(['echo', 'subprocess ok'], capture_output=True, text=True).stdout.strip())
with multiprocessing.Pool(2) as p: print('pool', sum(p.map(abs, [-1, -2])))
pid, fd = pty.fork()
if pid == 0: os.execvp('tty', ['tty'])
print('pty', os.read(fd, 100).decode().strip()); os.waitpid(pid, 0)
"
node -e "
const { Worker } = require('node:worker_threads');
console.log(require('node:child_process').execFileSync('echo', ['node child ok']).toString().trim());
new Worker('require(\\"node:worker_threads\\").parentPort.postMessage(1)', { eval: true }).on('message', () => console.log('worker ok'));
"
cd /tmp && printf '#include <pthread.h>\\n#include <stdio.h>\\nvoid *f(void *a) { return a; }\\nint main(void) { pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); puts("gcc ok"); return 0; }\\n' > t.c
gcc -O2 -pthread -o t t.c && ./t
git init -q /tmp/repo && cd /tmp/repo && echo hi > f && git add f && git -c user.email=a@b.c -c user.name=a commit -qm first && git log --format='git %s'
pip --version | cut -d' ' -f1
npm --version >/dev/null && echo npm ok
socat -V | grep -c 'socat version' | sed 's/1/socat ok/'`,
      'user',
    );
    expect(out.split('\n')).toEqual([
      'bash ok', 'thread ok', 'subprocess ok', 'pool 3', 'pty /dev/pts/0', 'node child ok', 'worker ok', 'gcc ok', 'git first', 'pip', 'npm ok', 'socat ok', '',
    ]);
  });

  it("gives the agent's own terminals as before (PTY, job control, signals)", async () => {
    const { sessionId } = await r.client.pty.create(id, { cols: 80, rows: 24 });
    const ws = r.client.connectPty(id, sessionId);
    let out = '';
    ws.on('message', (d: Buffer, binary: boolean) => {
      if (binary) out += d.toString();
    });
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    ws.send(Buffer.from('sleep 30 & kill %1; wait; echo "done $(tty)"\r'), { binary: true });
    for (let i = 0; i < 200 && !/done \/dev\/pts\/\d+/.test(out); i++) await new Promise((res) => setTimeout(res, 25));
    expect(out).toMatch(/done \/dev\/pts\/\d+/);
    ws.close();
  });
});

describe('an upgrade to the hardening (real containers)', () => {
  let r: RunnerHandle;
  afterAll(() => r?.destroy());

  const pooled = () => {
    const dir = path.join(r.dataDir, 'sandboxes');
    return fs
      .readdirSync(dir)
      .map((key) => path.join(dir, key, 'sandbox.json'))
      .filter((f) => fs.existsSync(f))
      .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as { key: string; pooled: boolean; state: string })
      .filter((rec) => rec.pooled && rec.state === 'running');
  };
  const until = async <T>(what: string, get: () => T | undefined): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = get();
      if (v) return v;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('never hands out a warm-pool sandbox started with older hardening', async () => {
    r = await startRunner({ poolSize: 1 });
    const old = await until('a pool member', () => pooled()[0]);
    await r.stop();
    // As an older runner would have started it: CAP_NET_RAW and a default-allow profile.
    const config = path.join(r.dataDir, 'sandboxes', old.key, 'bundle', 'config.json');
    const spec = JSON.parse(fs.readFileSync(config, 'utf8'));
    for (const set of ['bounding', 'effective', 'permitted']) spec.process.capabilities[set].push('CAP_NET_RAW');
    spec.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] };
    fs.writeFileSync(config, JSON.stringify(spec));
    await r.restart();
    const fresh = await until('a new pool member', () => pooled().find((rec) => rec.key !== old.key));
    expect(fs.existsSync(path.join(r.dataDir, 'sandboxes', old.key))).toBe(false);
    const sb = await r.client.create();
    expect(readRecord(r.dataDir, sb.id).key).toBe(fresh.key);
    const cap = await r.client.exec(sb.id, { cmd: sh('grep CapBnd /proc/1/status'), user: 'root' });
    expect(BigInt(`0x${cap.stdout.split(/\s+/)[1]}`) & (1n << 13n)).toBe(0n);
  });
});

/** Whether this host's kernel runs 32-bit syscalls at all: the same program, outside any sandbox. */
function hostHasIa32(buildScript: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-ia32-'));
  try {
    execFileSync('sh', ['-c', buildScript.replaceAll('/tmp/i', `${dir}/i`)]);
    execFileSync(`${dir}/i`, { stdio: 'ignore' });
    return true;
  } catch (err) {
    if ((err as { signal?: string }).signal === 'SIGSEGV') return false;
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
