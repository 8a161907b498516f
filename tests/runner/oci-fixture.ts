import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * Images assembled by the tests themselves, byte by byte: a tiny tar writer (so hostile entries
 * — `..` names, device nodes, setuid bits, crafted whiteouts and links — are exactly what a
 * malicious image would carry), an OCI layout around the layers, and a real registry (Debian's
 * docker-registry) on loopback that skopeo pushes them to.
 */
export type TarItem =
  | { type: 'file'; path: string; data?: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  | { type: 'char'; path: string; major: number; minor: number };

function header(name: string, o: { mode: number; uid: number; gid: number; size: number; flag: string; link?: string; major?: number; minor?: number }) {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8');
  const oct = (n: number, off: number, len: number) => put(`${n.toString(8).padStart(len - 1, '0')}\0`, off, len);
  if (Buffer.byteLength(name) > 100) throw new Error(`test tar names stay under 100 bytes: ${name}`);
  put(name, 0, 100);
  oct(o.mode, 100, 8);
  oct(o.uid, 108, 8);
  oct(o.gid, 116, 8);
  oct(o.size, 124, 12);
  oct(1_700_000_000, 136, 12);
  h.write('        ', 148, 8);
  put(o.flag, 156, 1);
  if (o.link) put(o.link, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  oct(o.major ?? 0, 329, 8);
  oct(o.minor ?? 0, 337, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

export function makeTar(items: TarItem[]): Buffer {
  const parts: Buffer[] = [];
  for (const it of items) {
    if (it.type === 'file') {
      const data = Buffer.isBuffer(it.data) ? it.data : Buffer.from(it.data ?? '');
      parts.push(header(it.path, { mode: it.mode ?? 0o644, uid: it.uid ?? 0, gid: it.gid ?? 0, size: data.length, flag: '0' }), data, Buffer.alloc((512 - (data.length % 512)) % 512));
    } else if (it.type === 'dir') parts.push(header(it.path, { mode: it.mode ?? 0o755, uid: it.uid ?? 0, gid: it.gid ?? 0, size: 0, flag: '5' }));
    else if (it.type === 'symlink') parts.push(header(it.path, { mode: 0o777, uid: 0, gid: 0, size: 0, flag: '2', link: it.target }));
    else if (it.type === 'hardlink') parts.push(header(it.path, { mode: 0o644, uid: 0, gid: 0, size: 0, flag: '1', link: it.target }));
    else parts.push(header(it.path, { mode: 0o600, uid: 0, gid: 0, size: 0, flag: '3', major: it.major, minor: it.minor }));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

export type ImageSpec = {
  layers: TarItem[][];
  config?: { Env?: string[]; WorkingDir?: string; User?: string; Entrypoint?: string[]; Cmd?: string[] };
  /** Replace a layer's compressed blob after its digests were computed from the good one. */
  corruptLayer?: number;
};

/** Writes an OCI layout (gzip layers) for `spec` at `dir` with tag `tag`. */
export function writeOciLayout(dir: string, tag: string, spec: ImageSpec): void {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const putBlob = (b: Buffer) => {
    const d = sha(b);
    fs.writeFileSync(path.join(blobs, d.slice(7)), b);
    return { digest: d, size: b.length };
  };
  const diffIds: string[] = [];
  const layers = spec.layers.map((items, i) => {
    const tar = makeTar(items);
    diffIds.push(sha(tar));
    let gz = zlib.gzipSync(tar);
    // A gzip stream cut short, yet stored under its own digest: only the unpack can tell.
    if (spec.corruptLayer === i) gz = gz.subarray(0, Math.floor(gz.length / 2));
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...putBlob(gz) };
  });
  const config = putBlob(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: spec.config ?? {}, rootfs: { type: 'layers', diff_ids: diffIds } })),
  );
  const manifest = putBlob(
    Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers }),
    ),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
}

export type Registry = { host: string; stop(): Promise<void>; push(name: string, spec: ImageSpec, creds?: string): string };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Debian's docker-registry on 127.0.0.1:<free port>, optionally behind htpasswd credentials. */
export async function startRegistry(opts: { user?: string; password?: string } = {}): Promise<Registry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-registry-'));
  const port = await freePort();
  let auth = '';
  if (opts.user) {
    const line = execFileSync('htpasswd', ['-Bbn', opts.user, opts.password ?? ''], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(dir, 'htpasswd'), `${line}\n`);
    auth = `auth:\n  htpasswd:\n    realm: warren-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  }
  fs.writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`http://${host}/v2/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let n = 0;
  return {
    host,
    push(name, spec, creds) {
      const layout = path.join(dir, `layout-${n++}`);
      writeOciLayout(layout, 'latest', spec);
      const ref = `${host}/${name}`;
      execFileSync(
        'skopeo',
        ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []), `oci:${layout}:latest`, `docker://${ref}`],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      return ref;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A working userland for test images: Debian's static busybox and the applets the tests call. */
export function busyboxLayer(): TarItem[] {
  const busybox = fs.readFileSync('/bin/busybox');
  const applets = ['sh', 'id', 'cat', 'ls', 'echo', 'stat', 'test', 'pwd', 'env', 'touch', 'mkdir', 'cp', 'chmod', 'readlink', 'whoami', 'wc', 'grep'];
  return [
    { type: 'dir', path: 'bin/' },
    { type: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    ...applets.map((a): TarItem => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'dir', path: 'etc/' },
    { type: 'file', path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' },
    { type: 'file', path: 'etc/group', data: 'root:x:0:\nuser:x:1000:\n' },
    { type: 'dir', path: 'root/', mode: 0o700 },
    { type: 'dir', path: 'tmp/', mode: 0o1777 },
  ];
}

/** A static program printing its effective uid: unlike busybox, it never drops a setuid gain. */
export function euidProgram(): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-euid-'));
  try {
    fs.writeFileSync(path.join(dir, 'euid.c'), '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("%d\\n",(int)geteuid());return 0;}\n');
    execFileSync('cc', ['-static', '-O1', '-o', path.join(dir, 'euid'), path.join(dir, 'euid.c')]);
    return fs.readFileSync(path.join(dir, 'euid'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
