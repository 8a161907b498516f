import type { Readable } from 'node:stream';
import { type Transport, enc, ndjson } from './transport';
import type { FileEntry, FileWatchLine, FileWriteOptions, FileWriteResult, SandboxUser } from './types';

type As = { user?: SandboxUser; signal?: AbortSignal };

/**
 * Files of a sandbox (running or stopped) and, read-only, of a snapshot. Paths are absolute
 * inside the sandbox; relative ones are taken from /home/user. Operations run as `user` unless
 * `{ user: 'root' }` is given. Transfers time out on silence, not on length: a big file may
 * take as long as it takes while bytes keep moving.
 */
export function filesApi(t: Transport) {
  const base = (id: string) => `/v1/sandboxes/${enc(id)}/files`;
  const snap = (id: string) => `/v1/snapshots/${enc(id)}/files`;
  const { idleMs } = t.timeouts;

  const readOnly = (root: (id: string) => string, withUser: boolean) => {
    const query = (path: string, opts: As) => ({ path, ...(withUser ? { user: opts.user } : {}) });
    return {
      list: async (id: string, path: string, opts: As = {}) =>
        (await t.json<{ entries: FileEntry[] }>('GET', root(id), { query: query(path, opts), signal: opts.signal })).entries,
      stat: (id: string, path: string, opts: As = {}) =>
        t.json<FileEntry>('GET', `${root(id)}/stat`, { query: query(path, opts), signal: opts.signal }),
      /** The file's bytes as a stream (the HTTP response); `content-length` is set when known. */
      read: (id: string, path: string, opts: As = {}): Promise<Readable> =>
        t.request('GET', `${root(id)}/content`, { query: query(path, opts), signal: opts.signal, idleMs }),
      /** Convenience for small files: reads the whole content into memory. */
      readBuffer: async (id: string, path: string, opts: As = {}): Promise<Buffer> => {
        const res = await t.request('GET', `${root(id)}/content`, { query: query(path, opts), signal: opts.signal, idleMs });
        const chunks: Buffer[] = [];
        for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
        return Buffer.concat(chunks);
      },
    };
  };

  return {
    files: {
      ...readOnly(base, true),
      /** Writes (replaces) a file atomically; over the runner's size cap → RunnerError 413. */
      write: (id: string, path: string, data: Buffer | Uint8Array | Readable, opts: FileWriteOptions = {}) =>
        t.json<FileWriteResult>('PUT', `${base(id)}/content`, {
          query: { path, mode: opts.mode, parents: opts.parents ? 1 : undefined, user: opts.user },
          body: data,
          idleMs,
        }),
      /** mkdir -p */
      mkdir: async (id: string, path: string, opts: As = {}): Promise<void> => {
        await t.json('POST', `${base(id)}/mkdir`, { body: { path, user: opts.user } });
      },
      rename: async (id: string, from: string, to: string, opts: As = {}): Promise<void> => {
        await t.json('POST', `${base(id)}/rename`, { body: { from, to, user: opts.user } });
      },
      /**
       * A running sandbox's directory events (inotify in its agent): `start` once watching, then
       * `event`s, then possibly an `error`; breaking out of the loop (or `signal`) ends the watch.
       */
      watch: async function* (id: string, path: string, opts: As & { recursive?: boolean } = {}): AsyncGenerator<FileWatchLine> {
        const res = await t.request('GET', `${base(id)}/watch`, {
          query: { path, recursive: opts.recursive ? 1 : undefined, user: opts.user },
          signal: opts.signal,
        });
        yield* ndjson<FileWatchLine>(res);
      },
      remove: async (id: string, path: string, opts: As & { recursive?: boolean } = {}): Promise<void> => {
        await t.json('DELETE', base(id), {
          query: { path, recursive: opts.recursive ? 1 : undefined, user: opts.user },
        });
      },
    },
    snapshotFiles: readOnly(snap, false),
  };
}
