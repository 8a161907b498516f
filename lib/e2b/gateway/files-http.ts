import type http from 'node:http';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError } from '@/lib/errors';
import { basename, downloadFile, maxUploadBytes, uploadFile } from '@/lib/sandboxes/files';
import { sandboxPath } from '@/lib/schemas/sandboxes';
import { sendJson } from '../http';
import { type Caller, callerBySignature, callerByToken, userOf } from './caller';

/**
 * envd's `GET|POST /files`: download and upload through lib/sandboxes/files, authorised by the
 * access token or by a signed URL (whose signature names the path, the operation and the user,
 * so a URL signed for one file never opens another).
 */
const HOME = { user: '/home/user', root: '/root' } as const;

async function authorise(
  req: http.IncomingMessage,
  sandboxId: string,
  url: URL,
  operation: 'read' | 'write',
): Promise<{ caller: Caller; path: string }> {
  const q = url.searchParams;
  const rawPath = q.get('path') ?? '';
  const username = q.get('username');
  const signature = q.get('signature');
  const caller = signature
    ? await callerBySignature(
        sandboxId,
        { path: rawPath, operation, username, signature, expiration: q.get('signature_expiration') },
        req.method,
      )
    : await callerByToken(
        sandboxId,
        header(req, 'x-access-token'),
        req.method,
        operation === 'read' ? 'sandboxes:read' : 'sandboxes:write',
        username
          ? userOf(`Basic ${Buffer.from(`${username}:`).toString('base64')}`)
          : userOf(header(req, 'authorization')),
      );
  const path = rawPath ? sandboxPath.parse(rawPath.startsWith('/') ? rawPath : `${HOME[caller.user]}/${rawPath}`) : '';
  return { caller, path };
}

/** Room for the multipart framing (boundaries, part headers) around the files themselves. */
const MULTIPART_OVERHEAD = 1024 * 1024;

/**
 * The multipart parser of the platform (undici) on a copy of the request, fed through a counter:
 * the parser holds the whole body in memory, so a chunked body (no Content-Length to refuse up
 * front) must be cut at the upload cap, or one caller could fill the console's memory.
 */
async function multipartForm(req: http.IncomingMessage, type: string): Promise<FormData> {
  const limit = maxUploadBytes() + MULTIPART_OVERHEAD;
  let seen = 0;
  const tooLarge = new AppError('payload_too_large', `Uploads are limited to ${maxUploadBytes()} bytes`);
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > limit ? tooLarge : null, chunk);
    },
  });
  req.on('error', (err) => counted.destroy(err));
  req.pipe(counted);
  try {
    return await new Request('http://gateway/files', {
      method: 'POST',
      headers: { 'content-type': type },
      body: Readable.toWeb(counted) as unknown as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit).formData();
  } catch {
    if (seen > limit) throw tooLarge;
    throw new AppError('bad_request', 'The multipart/form-data body could not be read');
  } finally {
    req.unpipe(counted);
  }
}

const header = (req: http.IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function getFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  sandboxId: string,
  url: URL,
): Promise<void> {
  const { caller, path } = await authorise(req, sandboxId, url, 'read');
  if (!path) throw new AppError('bad_request', 'path is required');
  const ac = new AbortController();
  res.once('close', () => ac.abort());
  const file = await downloadFile(caller.scope, caller.row.id, path, ac.signal, caller.user);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(file.size),
    'content-disposition': `attachment; filename="${basename(path).replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
    'cache-control': 'no-store',
  });
  file.stream.on('error', () => res.destroy());
  file.stream.pipe(res);
}

export async function postFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  sandboxId: string,
  url: URL,
): Promise<void> {
  const { caller, path } = await authorise(req, sandboxId, url, 'write');
  const type = header(req, 'content-type') ?? '';
  const written: { name: string; type: 'file'; path: string }[] = [];
  const put = async (dest: string, body: ReadableStream<Uint8Array>, length: number | null) => {
    await uploadFile(caller.scope, caller.row.id, dest, body, length, undefined, caller.user);
    written.push({ name: basename(dest), type: 'file', path: dest });
  };
  if (/^multipart\/form-data/i.test(type)) {
    const declared = Number(header(req, 'content-length') ?? 0);
    if (declared > maxUploadBytes())
      throw new AppError('payload_too_large', `Uploads are limited to ${maxUploadBytes()} bytes`);
    const form = await multipartForm(req, type);
    for (const part of form.getAll('file')) {
      if (typeof part === 'string') continue;
      const named = part.name;
      const dest = path || (named.startsWith('/') ? named : `${HOME[caller.user]}/${named}`);
      await put(sandboxPath.parse(dest), part.stream() as ReadableStream<Uint8Array>, part.size);
    }
  } else {
    if (!path) throw new AppError('bad_request', 'path is required');
    const gzip = /gzip/i.test(header(req, 'content-encoding') ?? '');
    const source = gzip ? req.pipe(createGunzip()) : req;
    const length = gzip ? null : header(req, 'content-length') ? Number(header(req, 'content-length')) : null;
    await put(path, Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>, length);
  }
  if (!written.length) throw new AppError('bad_request', 'No file in the request');
  sendJson(res, 200, written);
}
