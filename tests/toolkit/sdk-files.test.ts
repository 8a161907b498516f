import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, type Sandbox } from '@/sdk/src/index';
import { sandboxes } from './helpers/warren';

const pool = sandboxes();
let sb: Sandbox;
beforeAll(async () => {
  sb = await pool.create();
});
afterAll(() => pool.cleanup());

describe('SDK files', () => {
  it('writes and reads strings, bytes and streams', async () => {
    await sb.files.write('/home/user/a/b/hello.txt', 'héllo\n');
    expect(await sb.files.read('/home/user/a/b/hello.txt')).toBe('héllo\n');
    const bytes = new Uint8Array(256).map((_, i) => i);
    expect(await sb.files.write('/tmp/bin', bytes)).toEqual({ path: '/tmp/bin', size: 256 });
    expect(await sb.files.read('/tmp/bin', { format: 'bytes' })).toEqual(bytes);
    // A stream in, a stream out: 3 MiB never held whole by the SDK.
    const chunk = new Uint8Array(1024 * 1024).fill(97);
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 3) c.enqueue(chunk);
        else c.close();
      },
    });
    expect((await sb.files.write('/tmp/big', source)).size).toBe(3 * 1024 * 1024);
    let got = 0;
    for await (const part of (await sb.files.read('/tmp/big', { format: 'stream' })) as unknown as AsyncIterable<Uint8Array>) got += part.length;
    expect(got).toBe(3 * 1024 * 1024);
    expect((await sb.commands.run('wc -c < /tmp/big; id -un; stat -c %U /home/user/a/b/hello.txt')).stdout).toBe('3145728\nuser\nuser\n');
  });

  it('lists, checks, makes directories and removes', async () => {
    await sb.files.makeDir('/home/user/proj/src');
    await sb.files.write('/home/user/proj/src/main.py', 'print(1)\n', { mode: '0755' });
    const entries = await sb.files.list('/home/user/proj/src');
    expect(entries).toEqual([expect.objectContaining({ name: 'main.py', type: 'file', size: 9, mode: expect.stringMatching(/755$/) })]);
    expect(await sb.files.exists('/home/user/proj/src/main.py')).toBe(true);
    expect(await sb.files.exists('/home/user/proj/nope')).toBe(false);
    expect(await sb.files.exists('/no/such/dir/file')).toBe(false);
    await expect(sb.files.remove('/home/user/proj')).rejects.toThrow(); // a directory needs recursive
    await sb.files.remove('/home/user/proj', { recursive: true });
    expect(await sb.files.exists('/home/user/proj')).toBe(false);
    await expect(sb.files.read('/home/user/proj/src/main.py')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('uploads and downloads directories both ways (Node)', async () => {
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-sdk-up-'));
    fs.mkdirSync(path.join(local, 'pkg', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(local, 'pkg', 'a.txt'), 'A');
    fs.writeFileSync(path.join(local, 'pkg', 'deep', 'b.bin'), Buffer.from([0, 1, 2, 255]));
    fs.writeFileSync(path.join(local, 'pkg', 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    expect(await sb.files.upload(path.join(local, 'pkg'), '/home/user/pkg')).toBe(3);
    expect((await sb.commands.run('cat pkg/a.txt; od -An -tu1 pkg/deep/b.bin; ./pkg/run.sh', { cwd: '/home/user' })).stdout).toBe('A   0   1   2 255\nran\n');
    const back = path.join(local, 'back');
    expect(await sb.files.download('/home/user/pkg', back)).toBe(3);
    expect(fs.readFileSync(path.join(back, 'deep', 'b.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(fs.readFileSync(path.join(back, 'a.txt'), 'utf8')).toBe('A');
    await expect(sb.files.download('/home/user/missing', path.join(local, 'x'))).rejects.toBeInstanceOf(NotFoundError);
    fs.rmSync(local, { recursive: true, force: true });
  });
});
