import { Readable, Transform } from 'node:stream';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';
import type { SandboxUser } from '@/lib/runner-client';
import { onRunner } from './lifecycle';
import { recentOwnedSandbox } from './store';

/** Upload cap through the API (bytes); WARREN_MAX_UPLOAD_BYTES, default 100 MiB. */
export function maxUploadBytes(): number {
  const n = Number(process.env.WARREN_MAX_UPLOAD_BYTES ?? 100 * 1024 * 1024);
  return Number.isFinite(n) && n > 0 ? n : 100 * 1024 * 1024;
}

const tooLarge = (max: number) => new AppError('payload_too_large', `Uploads are limited to ${max} bytes`);

/**
 * Reads take the caller's `signal` (the route's request.signal): when the client hangs up, the
 * runner call is cancelled with it. Writes run to completion on purpose, so what the runner did
 * and what the caller is told (or the next read shows) cannot drift apart.
 */
export async function listFiles(scope: OrgScope, id: string, path: string, signal?: AbortSignal, user?: SandboxUser) {
  const row = await recentOwnedSandbox(scope, id);
  return { path, entries: await onRunner(row, (c) => c.files.list(id, path, { signal, user })) };
}

export async function statFile(scope: OrgScope, id: string, path: string, signal?: AbortSignal, user?: SandboxUser) {
  const row = await recentOwnedSandbox(scope, id);
  return onRunner(row, (c) => c.files.stat(id, path, { signal, user }));
}

/**
 * Follows a running sandbox's directory events; resolves once the watch is in place (the first
 * line, `start`, awaited), so a bad path is an error here and not a broken stream.
 */
export async function watchDir(
  scope: OrgScope,
  id: string,
  path: string,
  opts: { recursive: boolean; user?: SandboxUser; signal: AbortSignal },
) {
  const row = await recentOwnedSandbox(scope, id);
  if (row.state !== 'running') throw new AppError('conflict', `The sandbox is ${row.state}; start it first`);
  return onRunner(row, async (c) => {
    const it = c.files.watch(id, path, opts);
    const first = await it.next();
    if (first.done || first.value.type !== 'start') throw new AppError('internal', 'The runner did not start the watch');
    return it;
  });
}

export async function renameFile(scope: OrgScope, id: string, from: string, to: string, user?: SandboxUser) {
  const row = await recentOwnedSandbox(scope, id);
  await onRunner(row, (c) => c.files.rename(id, from, to, { user }));
}

/** Streams a file's bytes from the runner; nothing is buffered in the console. */
export async function downloadFile(scope: OrgScope, id: string, path: string, signal?: AbortSignal, user?: SandboxUser) {
  const row = await recentOwnedSandbox(scope, id);
  const stat = await onRunner(row, (c) => c.files.stat(id, path, { signal, user }));
  if (stat.type === 'dir') throw new AppError('bad_request', `${path} is a directory; list it with GET /files?path=`);
  const stream = await onRunner(row, (c) => c.files.read(id, path, { signal, user }));
  return { stream, size: stat.size, name: basename(path) };
}

/**
 * Streams the request body to the runner with a byte counter: a declared length over the cap
 * is refused before anything is sent, and a body that grows past it is cut (413) mid-way.
 */
export async function uploadFile(
  scope: OrgScope,
  id: string,
  path: string,
  body: ReadableStream<Uint8Array> | null,
  declaredLength: number | null,
  mode?: string,
  user?: SandboxUser,
) {
  const row = await recentOwnedSandbox(scope, id);
  const max = maxUploadBytes();
  if (declaredLength !== null && declaredLength > max) throw tooLarge(max);
  let seen = 0;
  let overflow = false;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) {
        overflow = true;
        cb(tooLarge(max));
        return;
      }
      cb(null, chunk);
    },
  });
  const source = body ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : Readable.from([]);
  source.on('error', (err) => counter.destroy(err));
  source.pipe(counter);
  try {
    return await onRunner(row, (c) => c.files.write(id, path, counter, { mode, parents: true, user }));
  } catch (err) {
    if (overflow) throw tooLarge(max);
    throw err;
  } finally {
    source.destroy();
  }
}

export async function removeFile(scope: OrgScope, id: string, path: string, recursive: boolean, user?: SandboxUser) {
  const row = await recentOwnedSandbox(scope, id);
  await onRunner(row, (c) => c.files.remove(id, path, { recursive, user }));
}

export async function makeDir(scope: OrgScope, id: string, path: string, user?: SandboxUser) {
  const row = await recentOwnedSandbox(scope, id);
  await onRunner(row, (c) => c.files.mkdir(id, path, { user }));
}

export function basename(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.at(-1) ?? 'download';
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
