import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, AgentFsError, AgentLimitError } from '@/runner/agent/client';
import { type ServedAgent, serveAgent } from '@/runner/agent/test-support';

let agent: ServedAgent;
let client: AgentClient;
let root: string;
const user = { uid: 1000, gid: 1000 };

beforeAll(async () => {
  agent = await serveAgent();
  client = AgentClient.forSocket(agent.socket);
  root = `${agent.dir}/files`;
  fs.mkdirSync(root, { mode: 0o755 });
  fs.chmodSync(agent.dir, 0o755); // let uid 1000 reach root/ (the socket itself stays 0600)
});
afterAll(async () => {
  await agent?.stop();
});

async function rejection(p: Promise<unknown>): Promise<AgentFsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AgentFsError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('warren-agent serve: files', () => {
  it('writes and reads back every byte value', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.write(`${root}/bytes.bin`, all);
    expect(fs.readFileSync(`${root}/bytes.bin`).equals(all)).toBe(true);
    expect((await client.readFile(`${root}/bytes.bin`)).equals(all)).toBe(true);
    expect(fs.statSync(`${root}/bytes.bin`).mode & 0o7777).toBe(0o644);
  });

  it('streams a 20 MiB file both ways', async () => {
    const big = crypto.randomBytes(20 << 20);
    const chunks = Array.from({ length: 20 }, (_, i) => big.subarray(i << 20, (i + 1) << 20));
    await client.write(`${root}/big.bin`, Readable.from(chunks));
    const hash = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    expect(hash(fs.readFileSync(`${root}/big.bin`))).toBe(hash(big));
    const stream = await client.readStream(`${root}/big.bin`);
    const h = crypto.createHash('sha256');
    let n = 0;
    for await (const c of stream) {
      h.update(c as Buffer);
      n += (c as Buffer).length;
    }
    expect(n).toBe(20 << 20);
    expect(h.digest('hex')).toBe(hash(big));
  });

  it('write: mode, exclusive, parents, size cap, atomic replace', async () => {
    await client.write(`${root}/deep/er/x.sh`, '#!/bin/sh\n', { mode: 0o4755, parents: true });
    expect(fs.statSync(`${root}/deep/er/x.sh`).mode & 0o7777).toBe(0o4755);
    expect((await rejection(client.write(`${root}/deep/er/x.sh`, 'y', { exclusive: true }))).code).toBe('EEXIST');
    await client.write(`${root}/deep/er/x.sh`, 'replaced');
    expect(fs.readFileSync(`${root}/deep/er/x.sh`, 'utf8')).toBe('replaced');
    expect(fs.statSync(`${root}/deep/er/x.sh`).mode & 0o7777).toBe(0o4755); // an overwrite keeps the mode
    await expect(client.write(`${root}/capped`, Buffer.alloc(5000), { maxBytes: 4096 })).rejects.toBeInstanceOf(
      AgentLimitError,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.readdirSync(root).filter((n) => n.includes('capped'))).toEqual([]); // no temp file left
    expect((await rejection(client.write(`${root}/deep`, 'x'))).code).toBe('EISDIR');
    await client.write(`${root}/empty`, Buffer.alloc(0));
    expect(fs.statSync(`${root}/empty`).size).toBe(0);
  });

  it('list and stat describe entries (symlinks not followed)', async () => {
    fs.mkdirSync(`${root}/ls`);
    fs.writeFileSync(`${root}/ls/f`, 'hello');
    fs.chownSync(`${root}/ls/f`, 1000, 1001);
    fs.chmodSync(`${root}/ls/f`, 0o2750); // after chown, which clears setgid
    fs.symlinkSync('/etc/passwd', `${root}/ls/link`);
    fs.mkdirSync(`${root}/ls/d`);
    fs.utimesSync(`${root}/ls/f`, new Date('2020-01-02T03:04:05.500Z'), new Date('2020-01-02T03:04:05.500Z'));
    const entries = (await client.list(`${root}/ls`)).sort((a, b) => a.name.localeCompare(b.name));
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ['d', 'dir'],
      ['f', 'file'],
      ['link', 'symlink'],
    ]);
    expect(entries[1]).toMatchObject({ size: 5, mode: 0o2750, uid: 1000, gid: 1001 });
    expect(entries[1].mtime.toISOString()).toBe('2020-01-02T03:04:05.500Z');
    expect(entries[2].target).toBe('/etc/passwd');
    const st = await client.stat(`${root}/ls/link`);
    expect(st).toMatchObject({ name: 'link', type: 'symlink', target: '/etc/passwd' });
    expect((await client.stat(`${root}/ls/`)).name).toBe('ls');
    expect((await client.stat('/')).type).toBe('dir');
    expect((await rejection(client.list(`${root}/ls/f`))).code).toBe('ENOTDIR');
  });

  it('mkdir -p, rename, remove -r without following symlinks', async () => {
    await client.mkdir(`${root}/m/a/b`, { parents: true });
    await client.mkdir(`${root}/m/a/b`, { parents: true }); // idempotent
    expect((await rejection(client.mkdir(`${root}/m/a/b`))).code).toBe('EEXIST');
    await client.mkdir(`${root}/m/a/mode`, { mode: 0o700 });
    expect(fs.statSync(`${root}/m/a/mode`).mode & 0o777).toBe(0o700);
    fs.writeFileSync(`${root}/m/a/b/file`, 'x');
    await client.rename(`${root}/m/a/b/file`, `${root}/m/moved`);
    expect(fs.readFileSync(`${root}/m/moved`, 'utf8')).toBe('x');
    // A symlink to a directory outside the tree: remove -r deletes the link, not its target.
    fs.mkdirSync(`${root}/outside`);
    fs.writeFileSync(`${root}/outside/keep`, 'keep');
    fs.symlinkSync(`${root}/outside`, `${root}/m/a/b/link`);
    expect((await rejection(client.remove(`${root}/m`))).code).toBe('ENOTEMPTY');
    await client.remove(`${root}/m`, { recursive: true });
    expect(fs.existsSync(`${root}/m`)).toBe(false);
    expect(fs.readFileSync(`${root}/outside/keep`, 'utf8')).toBe('keep');
    await client.remove(`${root}/outside/keep`);
    expect(fs.existsSync(`${root}/outside/keep`)).toBe(false);
    expect((await rejection(client.remove('/', { recursive: true }))).code).toBe('EBUSY');
  });

  it('errors carry errno, code and path', async () => {
    const e = await rejection(client.readFile(`${root}/missing`));
    expect(e).toMatchObject({ errno: 2, code: 'ENOENT' });
    expect(e.message).toBe(`No such file or directory: ${root}/missing`);
    expect((await rejection(client.readStream(root))).code).toBe('EISDIR');
    expect((await rejection(client.stat(`${root}/missing`))).code).toBe('ENOENT');
    expect((await rejection(client.rename(`${root}/missing`, `${root}/x`))).code).toBe('ENOENT');
  });

  it('acts as the requested uid: EACCES in a root-only dir, ownership of new files', async () => {
    fs.mkdirSync(`${root}/rootonly`, { mode: 0o700 });
    fs.writeFileSync(`${root}/rootonly/secret`, 's');
    expect((await rejection(client.write(`${root}/rootonly/x`, Buffer.alloc(300000), {}, user))).code).toBe('EACCES');
    expect((await rejection(client.readFile(`${root}/rootonly/secret`, user))).code).toBe('EACCES');
    expect((await rejection(client.list(`${root}/rootonly`, user))).code).toBe('EACCES');
    fs.mkdirSync(`${root}/home`, { mode: 0o755 });
    fs.chownSync(`${root}/home`, 1000, 1000);
    await client.write(`${root}/home/mine`, 'm', {}, user);
    await client.mkdir(`${root}/home/dir`, {}, user);
    for (const n of ['mine', 'dir']) {
      const st = fs.statSync(`${root}/home/${n}`);
      expect([st.uid, st.gid]).toEqual([1000, 1000]);
    }
    expect((await client.stat(`${root}/home/mine`, user)).uid).toBe(1000);
    // Still works as root afterwards: each request has its own process.
    expect((await client.readFile(`${root}/rootonly/secret`)).toString()).toBe('s');
  });

  it('refuses to read a FIFO or a device without hanging', async () => {
    fs.rmSync(`${root}/fifo`, { force: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [`${root}/fifo`]);
    expect((await rejection(client.readFile(`${root}/fifo`))).code).toBe('EINVAL');
    expect((await rejection(client.readFile('/dev/zero'))).code).toBe('EINVAL');
  });
});
