import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EgressSecret } from '@/lib/runner-client';
import { createCa, SandboxCa } from '@/runner/runtime/sandbox-ca';
import { readRecord, type RunnerHandle, sh, startRunner } from './harness';
import { ISOLATION_LEVELS } from './levels';

/**
 * Secrets end to end on real sandboxes, at each isolation level: env secrets in every command
 * (and after a runner restart), and an egress-only secret that reaches a real HTTPS upstream in a
 * request header while the sandbox never holds it — not in its environment, its processes' memory
 * (read from the host: /proc/<pid>/mem, and at gvisor the Sentry's memory file), its files or an
 * answer it can read — and that is never put in
 * for another host, another SNI, another Host header or plain HTTP.
 *
 * The upstream is local (loopback, its own test CA): the runner runs with the test-only flag
 * (NODE_ENV=test + WARREN_TEST_EGRESS_HOSTS / _CA) that lets its proxy reach these two names.
 * At gvisor the same proxy code serves the streams the runner relays through the sandbox's agent
 * (127.0.0.1:3128 inside), and it is the only way out even without an allow-list.
 */
const REAL = `sk-live-${'R3alV4lue'.repeat(3)}-x9`;
const ROTATED = `sk-live-${'R0tated'.repeat(3)}-y8`;
const ENV_VALUE = `env-secret-${'E'.repeat(20)}-42`;
const PLACEHOLDER = 'warren-secret-0123456789abcdefghijklmn';
const HOST = 'upstream.warren.test';
const OTHER = 'other.warren.test';

type Seen = { host: string; sni: string | null; authorization: string | undefined; xkey: string | undefined; path: string };

describe.each(ISOLATION_LEVELS)('secrets in sandboxes (real sandboxes, isolation %s, local HTTPS upstream)', (isolation) => {
  let r: RunnerHandle;
  let dir: string;
  let logFile: string;
  let upstream: https.Server;
  let plain: http.Server;
  let port: number;
  let plainPort: number;
  const seen: Seen[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-secrets-'));
    logFile = path.join(dir, 'runner.log');
    const ca = await createCa();
    const signer = await SandboxCa.load(ca);
    const leaves = { [HOST]: await signer.leafFor(HOST), [OTHER]: await signer.leafFor(OTHER) };
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    // An echoing upstream: it hands back what it received, in a header and in the body.
    const echo = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const sni = (req.socket as tls.TLSSocket).servername || null;
      seen.push({ host: req.headers.host ?? '', sni: sni ? String(sni) : null, authorization: req.headers.authorization, xkey: req.headers['x-api-key'] as string | undefined, path: req.url ?? '' });
      const body = JSON.stringify({ youSent: req.headers });
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-echo': String(req.headers.authorization) });
        return res.end(zlib.gzipSync(body));
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `https://${OTHER}:${(req.socket.address() as AddressInfo).port}/landing` });
        return res.end();
      }
      if (req.url === '/chunks') {
        // The value split across writes, to check scrubbing across chunk boundaries.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const a = String(req.headers.authorization);
        let i = 0;
        const step = () => {
          if (i >= a.length) return res.end('\nend\n');
          res.write(a.slice(i, i + 3));
          i += 3;
          setTimeout(step, 2);
        };
        return step();
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': String(req.headers.authorization) });
      res.end(body);
    };
    upstream = https.createServer(
      {
        ...leaves[HOST],
        SNICallback: (name, cb) => cb(null, tls.createSecureContext(leaves[name as keyof typeof leaves] ?? leaves[HOST])),
      },
      echo,
    );
    await new Promise<void>((res) => upstream.listen(0, '127.0.0.1', res));
    port = (upstream.address() as AddressInfo).port;
    plain = http.createServer(echo);
    await new Promise<void>((res) => plain.listen(0, '127.0.0.1', res));
    plainPort = (plain.address() as AddressInfo).port;
    r = await startRunner({
      logFile,
      env: {
        NODE_ENV: 'test',
        WARREN_LOG_LEVEL: 'debug',
        WARREN_TEST_EGRESS_HOSTS: `${HOST}=127.0.0.1,${OTHER}=127.0.0.1`,
        WARREN_TEST_EGRESS_CA: path.join(dir, 'ca.pem'),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await r?.destroy();
    upstream?.close();
    plain?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const egress = (value = REAL, hosts = [HOST]): EgressSecret => ({ name: 'API_KEY', placeholder: PLACEHOLDER, hosts, value, revision: 1 });
  const run = async (id: string, script: string, user: 'user' | 'root' = 'user') => {
    const out = await r.client.exec(id, { cmd: sh(script), timeoutSec: 60, user });
    return { ...out, all: out.stdout + out.stderr };
  };
  const curl = (url: string, extra = '') => `curl -sS --max-time 20 ${extra} -H "Authorization: Bearer $API_KEY" '${url}'`;

  let id: string;
  it('puts env secrets and egress placeholders in every command, never a value in the record', async () => {
    const sb = await r.client.create({
      isolation,
      network: { mode: 'egress', allow: [HOST, OTHER], ports: [port, plainPort] },
      secrets: { env: { ENV_SECRET: ENV_VALUE }, egress: [egress()] },
    });
    id = sb.id;
    expect(sb.secrets).toEqual({ env: ['ENV_SECRET'], egress: [{ name: 'API_KEY', hosts: [HOST], revision: 1 }] });
    const out = await run(id, 'echo "$ENV_SECRET|$API_KEY"; env | grep -c sk-live || true');
    expect(out.stdout).toBe(`${ENV_VALUE}|${PLACEHOLDER}\n0\n`);
    // background processes and terminals get them too (the same commandEnv)
    const proc = await r.client.processes.start(id, { cmd: sh('echo "$ENV_SECRET" > /tmp/bg; sleep 0.1') });
    expect(proc.pid).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 500));
    expect((await run(id, 'cat /tmp/bg')).stdout).toBe(`${ENV_VALUE}\n`);
    expect(JSON.stringify(await r.client.get(id))).not.toContain(REAL);
    const rec = JSON.stringify(readRecord(r.dataDir, id));
    expect(rec).not.toContain(REAL);
    expect(rec).not.toContain(ENV_VALUE);
  });

  it('puts the value in headers to the secret host over verified TLS, and scrubs every answer', async () => {
    seen.length = 0;
    const out = await run(id, `${curl(`https://${HOST}:${port}/echo`, `-H "X-Api-Key: $API_KEY" -D /tmp/h`)}; echo; cat /tmp/h`);
    expect(out.exitCode, out.all).toBe(0);
    expect(seen, out.all).toHaveLength(1);
    expect(seen[0]).toMatchObject({ authorization: `Bearer ${REAL}`, xkey: REAL, sni: HOST, host: `${HOST}:${port}` });
    // the upstream echoed it in the body and a header: the sandbox reads the placeholder
    expect(out.all).toContain(`Bearer ${PLACEHOLDER}`);
    expect(out.all).toMatch(new RegExp(`x-echo: Bearer ${PLACEHOLDER}`, 'i'));
    expect(out.all).not.toContain(REAL);

    seen.length = 0;
    const gz = await run(id, `${curl(`https://${HOST}:${port}/gzip`, '--compressed')}`);
    expect(seen[0]?.authorization).toBe(`Bearer ${REAL}`);
    expect(gz.all).toContain(PLACEHOLDER);
    expect(gz.all).not.toContain(REAL);
    const chunks = await run(id, curl(`https://${HOST}:${port}/chunks`));
    expect(chunks.stdout).toBe(`Bearer ${PLACEHOLDER}\nend\n`);

    // Basic credentials (git, pip) are decoded, substituted and re-encoded; the echo is scrubbed.
    seen.length = 0;
    const basic = await run(id, `curl -sS --max-time 20 -u "x-token:$API_KEY" https://${HOST}:${port}/echo`);
    expect(Buffer.from(seen[0]!.authorization!.split(' ')[1]!, 'base64').toString()).toBe(`x-token:${REAL}`);
    expect(basic.all).not.toContain(Buffer.from(`x-token:${REAL}`).toString('base64'));

    // python's urllib and requests trust the sandbox CA too
    seen.length = 0;
    const py = await run(
      id,
      `python3 -c "
import os, urllib.request
req = urllib.request.Request('https://${HOST}:${port}/py', headers={'Authorization': 'Bearer ' + os.environ['API_KEY']})
print(urllib.request.urlopen(req, timeout=20).status)
try:
    import requests  # where the host's /usr has it (REQUESTS_CA_BUNDLE points at the sandbox bundle)
    print(requests.get('https://${HOST}:${port}/requests', headers={'X-Api-Key': os.environ['API_KEY']}, timeout=20).status_code)
except ImportError:
    print('no requests')
"`,
    );
    expect(py.stdout, py.all).toMatch(/^200\n(200|no requests)\n$/);
    // node (as the sandbox's user) trusts it through NODE_EXTRA_CA_CERTS; its https module
    // ignores HTTPS_PROXY, so the script asks the proxy for the tunnel itself
    const node = await run(
      id,
      `node -e "
const http = require('http'), tls = require('tls');
const r = http.request({ host: '127.0.0.1', port: 3128, method: 'CONNECT', path: '${HOST}:${port}' });
r.on('connect', (res, sock) => {
  const t = tls.connect({ socket: sock, servername: '${HOST}' }, () => t.write('GET /node HTTP/1.1\\r\\nHost: ${HOST}:${port}\\r\\nAuthorization: Bearer ' + process.env.API_KEY + '\\r\\nConnection: close\\r\\n\\r\\n'));
  t.once('data', (d) => console.log(d.toString().split('\\r\\n')[0]));
  t.on('error', (e) => console.log('ERR ' + e.message));
});
r.end();
"`,
    );
    expect(node.stdout, node.all).toBe('HTTP/1.1 200 OK\n');
    expect(seen[0]?.authorization).toBe(`Bearer ${REAL}`);
    if (py.stdout.endsWith('200\n200\n')) expect(seen[1]?.xkey).toBe(REAL);
  }, 120_000);

  it('never puts the value in for another host, SNI, Host header, or plain HTTP', async () => {
    seen.length = 0;
    // another allowed host: a plain tunnel (so the sandbox must trust the upstream's own test
    // CA), and the placeholder arrives as sent
    await r.client.exec(id, { cmd: sh('cat > /tmp/upstream-ca.pem'), stdin: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8') });
    const other = await run(id, curl(`https://${OTHER}:${port}/other`, '--cacert /tmp/upstream-ca.pem'));
    expect(other.exitCode, other.all).toBe(0);
    expect(seen.at(-1)).toMatchObject({ authorization: `Bearer ${PLACEHOLDER}`, sni: OTHER });
    // plain HTTP to the secret host itself: never (the value would cross the network in clear)
    const clear = await run(id, curl(`http://${HOST}:${plainPort}/clear`));
    expect(clear.exitCode, clear.all).toBe(0);
    expect(seen.at(-1)).toMatchObject({ authorization: `Bearer ${PLACEHOLDER}`, path: '/clear' });
    // an absolute-form request inside the tunnel
    const n = seen.length;
    const abs = await run(
      id,
      `python3 - <<'EOF'
import os, socket, ssl
s = socket.create_connection(('127.0.0.1', 3128))
s.sendall(b'CONNECT ${HOST}:${port} HTTP/1.1\\r\\nHost: ${HOST}:${port}\\r\\n\\r\\n')
print(s.recv(4096).split(b'\\r\\n')[0].decode())
ctx = ssl.create_default_context()
t = ctx.wrap_socket(s, server_hostname='${HOST}')
key = os.environ['API_KEY'].encode()
# absolute URI to another host, then a Host header naming another host
t.sendall(b'GET https://${OTHER}:${port}/abs HTTP/1.1\\r\\nHost: ${OTHER}:${port}\\r\\nAuthorization: Bearer ' + key + b'\\r\\n\\r\\n')
print(t.recv(4096).split(b'\\r\\n')[0].decode())
EOF
python3 - <<'EOF'
import os, socket, ssl
s = socket.create_connection(('127.0.0.1', 3128))
s.sendall(b'CONNECT ${HOST}:${port} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
s.recv(4096)
t = ssl.create_default_context().wrap_socket(s, server_hostname='${HOST}')
t.sendall(b'GET /h HTTP/1.1\\r\\nHost: ${OTHER}:${port}\\r\\nAuthorization: Bearer ' + os.environ['API_KEY'].encode() + b'\\r\\n\\r\\n')
print(t.recv(4096).split(b'\\r\\n')[0].decode())
EOF
python3 - <<'EOF'
import socket, ssl
s = socket.create_connection(('127.0.0.1', 3128))
s.sendall(b'CONNECT ${HOST}:${port} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
s.recv(4096)
ctx = ssl.create_default_context(); ctx.check_hostname = False
try:
    ctx.wrap_socket(s, server_hostname='${OTHER}')
    print('handshake ok')
except Exception as e:
    print('handshake refused')
EOF`,
    );
    expect(abs.stdout, abs.all).toBe('HTTP/1.1 200 Connection Established\nHTTP/1.1 400 Bad Request\nHTTP/1.1 421 Misdirected Request\nhandshake refused\n');
    expect(seen.length).toBe(n); // none of them reached the upstream
    // A redirect to another host: a client that carries Authorization along (python's urllib
    // does) carries the placeholder there, never the value.
    seen.length = 0;
    const redirected = await run(
      id,
      `python3 -c "
import os, ssl, urllib.request
ctx = ssl.create_default_context(); ctx.load_verify_locations('/tmp/upstream-ca.pem')
req = urllib.request.Request('https://${HOST}:${port}/redirect', headers={'Authorization': 'Bearer ' + os.environ['API_KEY']})
print(urllib.request.urlopen(req, timeout=20, context=ctx).status)
"`,
    );
    expect(redirected.stdout, redirected.all).toBe('200\n');
    expect(seen.map((x) => [x.path, x.authorization])).toEqual([
      ['/redirect', `Bearer ${REAL}`],
      ['/landing', `Bearer ${PLACEHOLDER}`],
    ]);
    // HTTP/2 is refused by ALPN: curl falls back to HTTP/1.1 and still works
    const h2 = await run(id, `${curl(`https://${HOST}:${port}/h2`, '--http2 -o /dev/null -w "%{http_version}"')}`);
    expect(h2.stdout).toBe('1.1');
  }, 120_000);

  it('never lets the value into the sandbox: environment, process memory, files', async () => {
    // A long-lived process that made a request and keeps its answer in memory.
    await r.client.processes.start(id, {
      cmd: sh(`curl -sS --max-time 20 -H "Authorization: Bearer $API_KEY" https://${HOST}:${port}/keep > /tmp/answer; exec python3 -c "import time; d=open('/tmp/answer').read(); time.sleep(120)"`),
    });
    await new Promise((res) => setTimeout(res, 2000));
    const { uidBase, key } = readRecord(r.dataDir, id);
    // At container, every process of the sandbox is a host process in its uid range. At gvisor,
    // the sandbox's processes live in its Sentry (runsc-sandbox, host uid 65534, with its ptrace
    // stubs), their pages in the Sentry's memory file, and its Gofer has the sandbox's uid.
    const sentry = isolation === 'gvisor' ? sentryPids(key) : [];
    if (isolation === 'gvisor') expect(sentry.length, 'the Sentry and its stubs').toBeGreaterThan(1);
    const pids = [...sandboxPids(uidBase), ...sentry];
    expect(pids.length).toBeGreaterThanOrEqual(3); // container: the agent, the proxy bridge, python; gvisor: the Gofer, the Sentry, its stubs
    // (At gvisor the memory file's mappings are skipped here: reading them through
    // /proc/<pid>/mem ended the sandbox when tried, its Sentry gone, as faulting in the file's
    // holes would, charged to the sandbox's memory. The file is read whole below, with read().)
    const found = pids.map((pid) => ({ pid, real: grepMemory(pid, REAL), env: grepMemory(pid, ENV_VALUE), environ: readEnviron(pid) }));
    for (const f of found) {
      expect(f.real, `pid ${f.pid} memory`).toBe(false);
      expect(f.environ.includes(REAL), `pid ${f.pid} environ`).toBe(false);
    }
    if (isolation === 'container') {
      // the scan works: the env secret (which the sandbox is meant to have) is found in memory
      expect(found.some((f) => f.env)).toBe(true);
    } else {
      // Every page the sandbox's processes (and its /tmp, a tmpfs in its memory) have: the env
      // secret is there (the scan works), the value is not.
      const files = memoryFiles(sentry[0]!);
      expect(files.length).toBeGreaterThan(0);
      expect(files.some((f) => grepFile(f, ENV_VALUE))).toBe(true);
      for (const f of files) expect(grepFile(f, REAL), f).toBe(false);
    }
    expect((await r.client.get(id)).state).toBe('running'); // the scans left it running
    expect(seen.some((s) => s.path === '/keep' && s.authorization === `Bearer ${REAL}`)).toBe(true);
    // files: everything the sandbox can see, from inside, and its disk from the host
    // (/usr is the host's, read-only; /proc, /sys and /dev are not files)
    const inside = await run(id, `timeout 40 grep -rlsF -D skip -- '\${REAL.slice(0, 20)}' /etc /home /root /tmp /var /run /opt /srv /mnt /media; echo "done $?"`, 'root');
    expect(inside.stdout).toBe('done 1\n'); // grep: nothing found
    const run_ = path.join(r.runDir, 'sb', key);
    expect(grepTree(path.join(run_, 'disk'), REAL)).toEqual([]);
    expect(grepTree(path.join(run_, 'egress'), REAL)).toEqual([]);
    // the CA's key never enters the sandbox; at gvisor there is no proxy socket either (this
    // runsc refuses a sandbox's connect to it: the runner relays through the agent instead)
    const bundle = isolation === 'container' ? ['ca-certificates.crt', 'egress.sock', 'warren-ca.crt'] : ['ca-certificates.crt', 'warren-ca.crt'];
    expect(fs.readdirSync(path.join(run_, 'egress')).sort()).toEqual(bundle);
    expect(grepTree(path.join(run_, 'egress'), 'PRIVATE KEY')).toEqual([]);
  }, 60_000);

  it('rotation and deletion apply to the next request; env secrets survive a runner restart', async () => {
    await r.client.updateEgressSecrets(id, [{ ...egress(ROTATED), revision: 2 }]);
    seen.length = 0;
    const rotated = await run(id, curl(`https://${HOST}:${port}/rot`));
    expect(seen[0]?.authorization).toBe(`Bearer ${ROTATED}`);
    expect(rotated.all).not.toContain(ROTATED);
    expect((await r.client.get(id)).secrets.egress).toEqual([{ name: 'API_KEY', hosts: [HOST], revision: 2 }]);

    await r.restart();
    const env = await run(id, 'echo "$ENV_SECRET|$API_KEY"');
    expect(env.stdout).toBe(`${ENV_VALUE}|${PLACEHOLDER}\n`);
    seen.length = 0;
    await run(id, curl(`https://${HOST}:${port}/after-restart`));
    expect(seen[0]?.authorization).toBe(`Bearer ${ROTATED}`);

    // Deleted: the host is no longer intercepted (a plain tunnel to the upstream and its own
    // certificate), and the placeholder arrives as sent.
    await r.client.updateEgressSecrets(id, []);
    seen.length = 0;
    await run(id, curl(`https://${HOST}:${port}/deleted`, '--cacert /tmp/upstream-ca.pem'));
    expect(seen[0]?.authorization).toBe(`Bearer ${PLACEHOLDER}`);
  }, 120_000);

  it('a stop drops the values; a start takes them again', async () => {
    const store = path.join(r.runDir, 'secrets');
    const { key } = readRecord(r.dataDir, id);
    expect(fs.existsSync(path.join(store, `${key}.json`))).toBe(true);
    // root-only, on a tmpfs of its own
    expect(fs.statSync(store).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(store, `${key}.json`)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toMatch(new RegExp(` ${store} .* - tmpfs `));
    await r.client.stop(id);
    expect(fs.existsSync(path.join(store, `${key}.json`))).toBe(false);
    await r.client.start(id, { secrets: { env: { ENV_SECRET: 'second-start-value' }, egress: [egress()] } });
    expect((await run(id, 'echo "$ENV_SECRET|$API_KEY"')).stdout).toBe(`second-start-value|${PLACEHOLDER}\n`);
    seen.length = 0;
    await run(id, curl(`https://${HOST}:${port}/restarted`));
    expect(seen[0]?.authorization).toBe(`Bearer ${REAL}`);
    await r.client.start(id).catch(() => {}); // already running: refused, values untouched
  }, 120_000);

  // Open egress: at container slirp's network, with the proxy for the secret hosts; at gvisor the
  // proxy alone (relayed by the agent), for every host, and nothing else gets out.
  it('with open egress, the proxy puts the value in for the secret hosts only', async () => {
    const sb = await r.client.create({ isolation, network: { mode: 'egress' }, secrets: { egress: [egress()] } });
    await r.client.exec(sb.id, { cmd: sh('cat > /tmp/upstream-ca.pem'), stdin: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8') });
    seen.length = 0;
    const out = await run(sb.id, `${curl(`https://${HOST}:${port}/slirp`)}; echo; echo "$HTTPS_PROXY"`);
    expect(out.exitCode, out.all).toBe(0);
    expect(seen[0]?.authorization).toBe(`Bearer ${REAL}`);
    expect(out.stdout).toContain('http://127.0.0.1:3128');
    expect(out.all).not.toContain(REAL);
    // another host: a plain tunnel, the placeholder arrives as sent
    const other = await run(sb.id, curl(`https://${OTHER}:${port}/open-other`, '--cacert /tmp/upstream-ca.pem'));
    expect(other.exitCode, other.all).toBe(0);
    expect(seen.at(-1)).toMatchObject({ path: '/open-other', authorization: `Bearer ${PLACEHOLDER}`, sni: OTHER });
    if (isolation === 'gvisor') {
      // No way around the proxy: no DNS, and no route to any address.
      const n = seen.length;
      const around = await run(
        sb.id,
        `curl -sS --max-time 10 --noproxy '*' https://${HOST}:${port}/around; echo "curl $?"
python3 -c "
import socket
try:
    socket.create_connection(('1.1.1.1', 443), 5); print('OPEN')
except OSError as e:
    print('refused', e.errno)"`,
      );
      expect(around.stdout, around.all).toMatch(/^curl 6\nrefused \d+\n$/); // 6: could not resolve
      expect(seen.length).toBe(n);
    }
    await r.client.delete(sb.id);
  }, 120_000);

  it('keeps every value out of the runner: records, journal, logs, command lines', async () => {
    const values = [REAL, ROTATED, ENV_VALUE, 'second-start-value'];
    // The sandbox's own files (a disk image, or the btrfs pool) are checked on their own below.
    const onDisk = (file: string) => !file.endsWith('disk.img') && !file.endsWith('pool.img');
    for (const v of values) {
      expect(grepTree(r.dataDir, v, onDisk), v).toEqual([]);
      // the run dir but its mounts (the sandbox's own files, the host's /usr) and the secret store
      const mounted = /\/(usr|rootfs|disk|l\d+|bin|secrets|pool)(\/|$)/;
      expect(grepTree(r.runDir, v, (f) => !mounted.test(f.slice(r.runDir.length))), v).toEqual([]);
      expect(fs.readFileSync(logFile, 'utf8').includes(v), `log: ${v}`).toBe(false);
    }
    // the egress values are not in the sandbox's writable layer either (its disk image or subvolume)
    const { key } = readRecord(r.dataDir, id);
    const img = path.join(r.dataDir, 'sandboxes', key, 'disk.img');
    const layer = fs.existsSync(img) ? img : path.join(r.runDir, 'pool', 'sandboxes', key);
    expect(fs.existsSync(layer)).toBe(true);
    expect(spawnSync('grep', ['-rlaF', REAL, layer]).stdout.toString()).toBe('');
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {}
      for (const v of values) expect(cmd.includes(v), `cmdline of ${pid}`).toBe(false);
    }
  });
});

function sandboxPids(uidBase: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
        return uid >= uidBase && uid < uidBase + 65536;
      } catch {
        return false;
      }
    });
}

/** A gVisor sandbox's Sentry (the runsc-sandbox process booted from its bundle) first, then its descendants (the ptrace stubs). */
function sentryPids(key: string): number[] {
  const procs = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return { pid: Number(p), ppid, argv: fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0') };
      } catch {
        return null;
      }
    })
    .filter((p) => p !== null);
  const sentry = procs.find((p) => p.argv[0] === 'runsc-sandbox' && p.argv.some((a) => a.endsWith(`/sandboxes/${key}/bundle`)));
  if (!sentry) return [];
  const out = [sentry.pid];
  for (let i = 0; i < out.length; i++) for (const p of procs) if (p.ppid === out[i]) out.push(p.pid);
  return out;
}

/** The Sentry's memory files (memfds named runsc-memory), as /proc/<pid>/fd paths. */
function memoryFiles(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  return fs.readdirSync(dir).map((fd) => path.join(dir, fd)).filter((f) => {
    try {
      return fs.readlinkSync(f).startsWith('/memfd:runsc-memory');
    } catch {
      return false;
    }
  });
}

/** Whether a (possibly huge, sparse) file holds the needle, read in chunks that overlap by its length. */
function grepFile(file: string, needle: string): boolean {
  const want = Buffer.from(needle);
  const fd = fs.openSync(file, 'r');
  try {
    const step = 8 * 1024 * 1024;
    const buf = Buffer.alloc(step);
    for (let at = 0; ; at += step - want.length) {
      const n = fs.readSync(fd, buf, 0, step, at);
      if (buf.subarray(0, n).indexOf(want) !== -1) return true;
      if (n < step) return false;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readEnviron(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

/** Every readable mapping of the process (but a gVisor memory file's), read from the host through /proc/<pid>/mem. */
function grepMemory(pid: number, needle: string): boolean {
  const want = Buffer.from(needle);
  let maps: string;
  let fd: number;
  try {
    maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
    fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  } catch {
    return false;
  }
  try {
    for (const line of maps.split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
      if (!m || m[3]![0] !== 'r' || line.endsWith('[vvar]') || line.endsWith('[vsyscall]') || line.includes('memfd:runsc-memory')) continue;
      const start = Number.parseInt(m[1]!, 16);
      const end = Number.parseInt(m[2]!, 16);
      const step = 8 * 1024 * 1024;
      for (let at = start; at < end; at += step - want.length) {
        const len = Math.min(step, end - at);
        const buf = Buffer.alloc(len);
        let n = 0;
        try {
          n = fs.readSync(fd, buf, 0, len, at);
        } catch {
          break;
        }
        if (buf.subarray(0, n).indexOf(want) !== -1) return true;
        if (at + len >= end) break;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return false;
}

function grepTree(root: string, needle: string, keep: (file: string) => boolean = () => true): string[] {
  const hits: string[] = [];
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      if (!keep(`${p}/`)) return;
      for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    } else if (st.isFile() && keep(p) && st.size < 512 * 1024 * 1024) {
      if (fs.readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(root);
  return hits;
}
