import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApi } from './api-fixture';

const CAP = 32 * 1024 * 1024;
let f: ApiFixture;
let dir: string;
beforeAll(async () => {
  f = await startApi({ maxUploadBytes: CAP });
  await f.client.create({ id: 'fs1' });
  dir = f.work;
});
afterAll(async () => {
  await f?.close();
});

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('runner API: files', () => {
  it('round-trips binary content, with mode, parents, stat and list', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const target = `${dir}/a/b/bin.dat`;
    expect(await f.client.files.write('fs1', target, all, { mode: '0640', parents: true })).toEqual({
      path: target,
      size: 256,
    });
    expect((await f.client.files.readBuffer('fs1', target)).equals(all)).toBe(true);
    const st = await f.client.files.stat('fs1', target);
    expect(st).toMatchObject({ name: 'bin.dat', path: target, type: 'file', size: 256, mode: '0640' });
    expect(Number.isNaN(Date.parse(st.mtime))).toBe(false);
    // Written as the sandbox user, not as the runner's root.
    expect(fs.statSync(target).uid).toBe(1000);
    fs.symlinkSync('/etc', `${dir}/a/link`);
    const entries = await f.client.files.list('fs1', `${dir}/a`);
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ['b', 'dir'],
      ['link', 'symlink'],
    ]);
    expect(entries[1]).toMatchObject({ path: `${dir}/a/link`, target: '/etc' });
  });

  it('streams a 20 MiB file both ways', async () => {
    const big = randomBytes(20 * 1024 * 1024);
    const target = `${dir}/big.bin`;
    const chunks = Array.from({ length: 20 }, (_, i) => big.subarray(i * 1048576, (i + 1) * 1048576));
    const res = await f.client.files.write('fs1', target, Readable.from(chunks));
    expect(res.size).toBe(big.length);
    const stream = await f.client.files.read('fs1', target);
    expect((stream as unknown as { headers: Record<string, string> }).headers['content-length']).toBe(
      String(big.length),
    );
    expect((await readAll(stream)).equals(big)).toBe(true);
  });

  it('refuses uploads over the cap with 413 and leaves nothing behind', async () => {
    const target = `${dir}/too-big.bin`;
    const over = Buffer.alloc(CAP + 1024, 1);
    // Declared length over the cap: refused before reading.
    await expect(f.client.files.write('fs1', target, over)).rejects.toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    // Streamed (chunked, no length): refused once the cap is crossed.
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(1024 * 1024, 2));
    await expect(f.client.files.write('fs1', target, Readable.from(chunks))).rejects.toMatchObject({ status: 413 });
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(dir).filter((n) => n.includes('too-big'))).toEqual([]);
  });

  it('an upload refused before its body is read is answered, and the connection outlives the rest of the body', async () => {
    // /root is 0700 root: the agent refuses to open the file before reading any data, so the
    // runner answers 403 while the client still has megabytes to send. Closing the connection
    // right after answering made the client's next write fail (EPIPE), often before it had read
    // the answer, and the console reported the runner as unreachable.
    const total = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const sock = net.connect(f.socket);
    let received = '';
    const answered = new Promise<void>((resolve) => {
      sock.on('data', (d) => {
        received += d.toString('latin1');
        if (received.includes('\r\n\r\n')) resolve();
      });
    });
    const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    const writeErrors: string[] = [];
    sock.on('error', (err: NodeJS.ErrnoException) => writeErrors.push(err.code ?? err.message));
    const write = (b: Buffer | string) => new Promise<void>((resolve) => sock.write(b, () => resolve()));
    await write(
      `PUT /v1/sandboxes/fs1/files/content?path=/root/refused HTTP/1.1\r\nhost: runner\r\nauthorization: Bearer ${f.token}\r\n` +
        `content-type: application/octet-stream\r\ncontent-length: ${total}\r\nconnection: close\r\n\r\n`,
    );
    // A first kilobyte, then nothing until the answer: the runner has sent all it had to the
    // agent and waits for more when the refusal comes, and must answer anyway.
    await write(Buffer.alloc(1024, 7));
    await answered;
    expect(received).toMatch(/^HTTP\/1\.1 403 /);
    await write(Buffer.alloc(chunk.length - 1024, 7));
    for (let sent = chunk.length; sent < total && !sock.destroyed; sent += chunk.length) await write(chunk);
    expect(writeErrors).toEqual([]);
    await closed;
    expect(received).toContain('"code":"forbidden"');
    expect(fs.existsSync('/root/refused')).toBe(false);
  });

  it('mkdir -p, rename, remove, and maps errno to HTTP', async () => {
    await f.client.files.mkdir('fs1', `${dir}/m/n/o`);
    expect(fs.statSync(`${dir}/m/n/o`).isDirectory()).toBe(true);
    await f.client.files.write('fs1', `${dir}/m/x.txt`, Buffer.from('x'));
    await f.client.files.rename('fs1', `${dir}/m/x.txt`, `${dir}/m/y.txt`);
    expect(fs.readFileSync(`${dir}/m/y.txt`, 'utf8')).toBe('x');
    await expect(f.client.files.remove('fs1', `${dir}/m`)).rejects.toMatchObject({ status: 409 });
    await f.client.files.remove('fs1', `${dir}/m`, { recursive: true });
    expect(fs.existsSync(`${dir}/m`)).toBe(false);

    await expect(f.client.files.stat('fs1', `${dir}/nope`)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(f.client.files.readBuffer('fs1', `${dir}/nope`)).rejects.toMatchObject({ status: 404 });
    // /root is 0700 root: the sandbox user may not look, root may.
    await expect(f.client.files.list('fs1', '/root')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    expect(Array.isArray(await f.client.files.list('fs1', '/root', { user: 'root' }))).toBe(true);
    await expect(f.client.files.readBuffer('fs1', dir)).rejects.toMatchObject({ status: 400 });
    await expect(f.client.files.list('fs1', `${dir}/big.bin`)).rejects.toMatchObject({ status: 400 });
  });

  it('works on a stopped sandbox too', async () => {
    await f.client.stop('fs1');
    const target = path.join(dir, 'while-stopped.txt');
    await f.client.files.write('fs1', target, Buffer.from('stopped'));
    expect((await f.client.files.readBuffer('fs1', target)).toString()).toBe('stopped');
    await f.client.start('fs1');
  });
});
