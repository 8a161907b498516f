import type { ApiClient, CallOptions } from './http.ts';
import { NotFoundError } from './errors.ts';
import type { FileEntry } from './types.ts';

export type WriteData = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;
type Format = 'text' | 'bytes' | 'stream';
type ReadResult<F extends Format> = F extends 'bytes' ? Uint8Array : F extends 'stream' ? ReadableStream<Uint8Array> : string;

const parentOf = (p: string) => p.replace(/\/+$/, '').replace(/\/[^/]*$/, '') || '/';
const nameOf = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? '';
export const joinPath = (dir: string, name: string) => `${dir.replace(/\/+$/, '')}/${name}`;

/**
 * Files inside a sandbox, by absolute path (running or stopped sandboxes alike). Reads and
 * writes stream: a large file never sits whole in memory unless asked for as text or bytes.
 */
export class Files {
  constructor(
    private readonly api: ApiClient,
    private readonly sandboxId: string,
  ) {}

  private path(rest = '') {
    return `/sandboxes/${this.sandboxId}/files${rest}`;
  }

  async read<F extends Format = 'text'>(path: string, opts: CallOptions & { format?: F } = {}): Promise<ReadResult<F>> {
    const res = await this.api.request('GET', this.path('/content'), { query: { path }, signal: opts.signal, timeoutMs: opts.timeoutMs });
    const format = opts.format ?? 'text';
    if (format === 'stream') return res.body as ReadResult<F>;
    if (format === 'bytes') return new Uint8Array(await res.arrayBuffer()) as ReadResult<F>;
    return (await res.text()) as ReadResult<F>;
  }

  /** Creates parent directories; `mode` is octal like '0755'. */
  async write(path: string, data: WriteData, opts: CallOptions & { mode?: string } = {}): Promise<{ path: string; size: number }> {
    const body: BodyInit = data instanceof ArrayBuffer ? new Uint8Array(data) : (data as BodyInit);
    return this.api.json('PUT', this.path('/content'), {
      query: { path, mode: opts.mode },
      body,
      headers: { 'content-type': 'application/octet-stream' },
      // Writing the same bytes to the same path twice leaves the same file.
      retry: !(data instanceof ReadableStream),
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
  }

  async list(path: string, opts: CallOptions = {}): Promise<FileEntry[]> {
    return (await this.api.json<{ entries: FileEntry[] }>('GET', this.path(), { query: { path }, ...opts })).entries;
  }

  async remove(path: string, opts: CallOptions & { recursive?: boolean } = {}): Promise<void> {
    await this.api.request('DELETE', this.path(), { query: { path, recursive: opts.recursive ? '1' : undefined }, signal: opts.signal });
  }

  async makeDir(path: string, opts: CallOptions = {}): Promise<void> {
    await this.api.request('POST', this.path('/mkdir'), { json: { path }, retry: true, ...opts });
  }

  /** The entry for a path (its parent's listing), or null when nothing is there. */
  async stat(path: string, opts: CallOptions = {}): Promise<FileEntry | null> {
    if (parentOf(path) === path) return { name: '/', path: '/', type: 'dir', size: 0, mode: '0755', mtime: new Date(0).toISOString() };
    try {
      return (await this.list(parentOf(path), opts)).find((e) => e.name === nameOf(path)) ?? null;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async exists(path: string, opts: CallOptions = {}): Promise<boolean> {
    return (await this.stat(path, opts)) !== null;
  }

  /** Node only: copies a local file or directory (recursively) to `remotePath`. Returns files copied. */
  async upload(localPath: string, remotePath: string, opts: CallOptions = {}): Promise<number> {
    const { fs, Readable, path, createReadStream } = await nodeModules();
    const st = await fs.stat(localPath);
    if (!st.isDirectory()) {
      const stream = Readable.toWeb(createReadStream(localPath)) as unknown as ReadableStream<Uint8Array>;
      await this.write(remotePath, stream, { ...opts, mode: (st.mode & 0o777).toString(8).padStart(4, '0') });
      return 1;
    }
    await this.makeDir(remotePath, opts);
    let n = 0;
    for (const name of await fs.readdir(localPath)) n += await this.upload(path.join(localPath, name), joinPath(remotePath, name), opts);
    return n;
  }

  /** Node only: copies a sandbox file or directory (recursively) to `localPath`. Returns files copied. */
  async download(remotePath: string, localPath: string, opts: CallOptions = {}): Promise<number> {
    const { fs, Readable, path, pipeline, createWriteStream } = await nodeModules();
    const entry = await this.stat(remotePath, opts);
    if (!entry) throw new NotFoundError(`${remotePath} not found in the sandbox`, 404, 'not_found');
    if (entry.type !== 'dir') {
      const body = await this.read(remotePath, { ...opts, format: 'stream' });
      await pipeline(Readable.fromWeb(body as never), createWriteStream(localPath));
      return 1;
    }
    await fs.mkdir(localPath, { recursive: true });
    let n = 0;
    for (const e of await this.list(remotePath, opts)) {
      if (e.type === 'file' || e.type === 'dir') n += await this.download(joinPath(remotePath, e.name), path.join(localPath, e.name), opts);
    }
    return n;
  }
}

/** Loaded on first use only, so the SDK itself runs where there is no node:fs (edge runtimes). */
async function nodeModules() {
  const [fsSync, fs, stream, path, promises] = await Promise.all([
    import('node:fs'),
    import('node:fs/promises'),
    import('node:stream'),
    import('node:path'),
    import('node:stream/promises'),
  ]);
  return { fs, Readable: stream.Readable, path, pipeline: promises.pipeline, createReadStream: fsSync.createReadStream, createWriteStream: fsSync.createWriteStream };
}
