import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as files from '@/app/api/v1/sandboxes/[id]/files/route';
import * as content from '@/app/api/v1/sandboxes/[id]/files/content/route';
import * as mkdir from '@/app/api/v1/sandboxes/[id]/files/mkdir/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as list from '@/app/api/v1/sandboxes/route';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

let runner: RunnerHandle;
let A: TestOrg;
let id: string;
beforeAll(async () => {
  process.env.WARREN_MAX_UPLOAD_BYTES = String(1024 * 1024);
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
  id = (await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.id;
});
afterAll(() => teardown(runner));

const q = (path: string) => `?path=${encodeURIComponent(path)}`;

describe('sandbox files through /api/v1', () => {
  it('uploads binary bytes, downloads them back, sees them from a command', async () => {
    const bytes = randomBytes(300_000);
    const up = await api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/home/user/data/blob.bin')}`, {
      key: A.developer,
      raw: bytes,
      params: { id },
    });
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ size: bytes.length });
    const down = await api(content.GET, 'GET', `/sandboxes/${id}/files/content${q('/home/user/data/blob.bin')}`, { key: A.viewer, params: { id } });
    expect(down.status).toBe(200);
    expect(down.res.headers.get('content-type')).toBe('application/octet-stream');
    expect(down.res.headers.get('content-disposition')).toContain('filename="blob.bin"');
    expect(Buffer.from(await down.res.arrayBuffer()).equals(bytes)).toBe(true);
    const sum = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'wc -c < /home/user/data/blob.bin' }, params: { id } });
    expect(sum.json.stdout.trim()).toBe(String(bytes.length));
  });

  it('streams an upload without a declared length', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('hello '));
        c.enqueue(new TextEncoder().encode('stream'));
        c.close();
      },
    });
    const up = await api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/home/user/s.txt')}`, { key: A.developer, raw: stream, params: { id } });
    expect(up.status).toBe(201);
    const down = await api(content.GET, 'GET', `/sandboxes/${id}/files/content${q('/home/user/s.txt')}`, { key: A.viewer, params: { id } });
    expect(await down.res.text()).toBe('hello stream');
  });

  it('refuses an oversized upload with 413, declared or streamed, and leaves no file', async () => {
    const big = randomBytes(1024 * 1024 + 1);
    const declared = await api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/home/user/big')}`, { key: A.developer, raw: big, params: { id } });
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('payload_too_large');
    const chunks = [randomBytes(700_000), randomBytes(700_000)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(ch);
        c.close();
      },
    });
    const streamed = await api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/home/user/big')}`, { key: A.developer, raw: stream, params: { id } });
    expect(streamed.status).toBe(413);
    const ls = await api(files.GET, 'GET', `/sandboxes/${id}/files${q('/home/user')}`, { key: A.viewer, params: { id } });
    expect(ls.json.entries.map((e: { name: string }) => e.name)).not.toContain('big');
  });

  it('lists, makes directories, deletes', async () => {
    expect((await api(mkdir.POST, 'POST', `/sandboxes/${id}/files/mkdir`, { key: A.developer, body: { path: '/home/user/a/b/c' }, params: { id } })).status).toBe(201);
    const ls = await api(files.GET, 'GET', `/sandboxes/${id}/files${q('/home/user/a/b')}`, { key: A.viewer, params: { id } });
    expect(ls.json.entries).toEqual([expect.objectContaining({ name: 'c', type: 'dir', mode: expect.any(String), mtime: expect.any(String) })]);
    const notEmpty = await api(files.DELETE, 'DELETE', `/sandboxes/${id}/files${q('/home/user/a')}`, { key: A.developer, params: { id } });
    expect(notEmpty.status).toBe(409);
    const rm = await api(files.DELETE, 'DELETE', `/sandboxes/${id}/files${q('/home/user/a')}&recursive=1`, { key: A.developer, params: { id } });
    expect(rm.status).toBe(200);
    const gone = await api(files.GET, 'GET', `/sandboxes/${id}/files${q('/home/user/a')}`, { key: A.viewer, params: { id } });
    expect(gone.status).toBe(404);
  });

  it('rejects relative paths and NUL bytes with 400; `..` stays inside the sandbox', async () => {
    for (const bad of ['home/user', '/home/user/\0x', '']) {
      const res = await api(files.GET, 'GET', `/sandboxes/${id}/files${q(bad)}`, { key: A.viewer, params: { id } });
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    const outside = await api(content.GET, 'GET', `/sandboxes/${id}/files/content${q('/../../../../etc/hostname')}`, { key: A.viewer, params: { id } });
    const host = (await import('node:fs')).readFileSync('/etc/hostname', 'utf8');
    if (outside.status === 200) expect(await outside.res.text()).not.toBe(host);
    else expect([400, 404]).toContain(outside.status);
  });

  it('paths the sandbox user may not touch are the runner’s 403, not a 500', async () => {
    const put = await api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/etc/passwd')}`, { key: A.developer, raw: 'x', params: { id } });
    const dir = await api(mkdir.POST, 'POST', `/sandboxes/${id}/files/mkdir`, { key: A.developer, body: { path: '/usr/warren-x' }, params: { id } });
    const rm = await api(files.DELETE, 'DELETE', `/sandboxes/${id}/files${q('/etc/hostname')}`, { key: A.developer, params: { id } });
    for (const res of [put, dir, rm]) {
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/permission denied|read-only|not permitted/) });
    }
  });

  it('downloading a directory is a 400; viewers cannot upload', async () => {
    const dir = await api(content.GET, 'GET', `/sandboxes/${id}/files/content${q('/home/user')}`, { key: A.viewer, params: { id } });
    expect(dir.status).toBe(400);
    const viewer = await api(content.PUT, 'PUT', `/sandboxes/${id}/files/content${q('/home/user/x')}`, { key: A.viewer, raw: 'x', params: { id } });
    expect(viewer.status).toBe(403);
  });
});
