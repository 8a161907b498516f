import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@/lib/errors';
import type { FileEntry, FileWriteResult, SandboxUser } from '@/lib/runner-client/types';
import { type AgentClient, AgentConnectionError, AgentLimitError, type FsEntry } from '@/runner/agent/client';
import type { SandboxManager } from '@/runner/sandbox/types';
import { identity, sandboxPath } from './command-env';
import { mapFsError } from './fs-errors';
import { writeEvent } from './output-pump';

export const DEFAULT_MAX_UPLOAD = 100 * 1024 * 1024;
/** Directory watches a sandbox may hold at once (each: an agent handler and a connection). */
export const MAX_WATCHES_PER_SANDBOX = 32;
const MAX_WATCH_LAG_BYTES = 4 * 1024 * 1024;

type Lease = { agent: AgentClient; release: () => Promise<void> };
/** Where file operations go: a sandbox (running or stopped) or a snapshot (read-only). */
export type FileTarget = { kind: 'sandbox'; id: string } | { kind: 'snapshot'; id: string };

export function toFileEntry(dir: string | null, e: FsEntry, full?: string): FileEntry {
  const out: FileEntry = {
    name: e.name,
    path: full ?? path.posix.join(dir ?? '/', e.name),
    type: e.type,
    size: e.size,
    mode: (e.mode & 0o7777).toString(8).padStart(4, '0'),
    mtime: e.mtime.toISOString(),
  };
  if (e.target !== undefined) out.target = e.target;
  return out;
}

/**
 * File operations through the sandbox's agent: paths are resolved by the agent inside the
 * sandbox's own view, so a planted symlink cannot make the runner touch a host path. Every
 * operation runs as the sandbox user (uid 1000) unless root is asked for.
 */
export class FileService {
  private readonly watches = new Map<string, number>();

  constructor(
    private readonly manager: SandboxManager,
    readonly maxUploadBytes = DEFAULT_MAX_UPLOAD,
  ) {}

  /**
   * Streams a running sandbox's directory events as NDJSON: `{type:"start"}` once the agent's
   * inotify watches are in place, then `{type:"event", kind, name}` (name relative to `p`), and
   * `{type:"error", code, message}` if the watch ends badly (events lost, too many directories).
   * Each watch holds an agent handler and a connection: MAX_WATCHES_PER_SANDBOX at once.
   */
  async watch(id: string, p: string, opts: { recursive: boolean; user: SandboxUser }, res: ServerResponse): Promise<void> {
    const dir = sandboxPath(p);
    const agent = this.manager.agent(id); // running only: a stopped sandbox has nothing to watch
    const open = this.watches.get(id) ?? 0;
    if (open >= MAX_WATCHES_PER_SANDBOX)
      throw new AppError('quota_exceeded', `A sandbox has at most ${MAX_WATCHES_PER_SANDBOX} directory watches at once`);
    this.watches.set(id, open + 1);
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    try {
      const events = await agent.watch(dir, { recursive: opts.recursive, signal: ac.signal }, identity(opts.user)).catch((err) => {
        throw watchError(err, dir);
      });
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      writeEvent(res, { type: 'start' });
      try {
        for await (const e of events) {
          writeEvent(res, { type: 'event', ...e });
          if (res.writableLength > MAX_WATCH_LAG_BYTES) break; // a reader that does not read
        }
      } catch (err) {
        const e = watchError(err, dir) as { code?: string; message?: string };
        writeEvent(res, { type: 'error', code: e.code ?? 'internal', message: e.message ?? 'the watch failed' });
      }
      res.end();
    } finally {
      const left = (this.watches.get(id) ?? 1) - 1;
      if (left > 0) this.watches.set(id, left);
      else this.watches.delete(id);
    }
  }

  private async lease(t: FileTarget): Promise<Lease> {
    if (t.kind === 'snapshot') return this.manager.snapshotFilesAgent(t.id);
    const lease = await this.manager.filesAgent(t.id);
    this.manager.touch(t.id);
    return lease;
  }

  /** Runs `fn` with an agent and always releases it; agent errors become API errors. */
  private async with<T>(t: FileTarget, p: string, fn: (agent: AgentClient) => Promise<T>): Promise<T> {
    const { agent, release } = await this.lease(t);
    try {
      return await fn(agent);
    } catch (err) {
      throw mapAgentError(err, p);
    } finally {
      await release();
    }
  }

  list(t: FileTarget, p: string, user: SandboxUser = 'user'): Promise<FileEntry[]> {
    const dir = sandboxPath(p);
    return this.with(t, dir, async (agent) => {
      const entries = await agent.list(dir, identity(user));
      return entries.map((e) => toFileEntry(dir, e)).sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  stat(t: FileTarget, p: string, user: SandboxUser = 'user'): Promise<FileEntry> {
    const full = sandboxPath(p);
    return this.with(t, full, async (agent) => {
      const e = await agent.stat(full, identity(user));
      return toFileEntry(null, { ...e, name: e.name || path.posix.basename(full) }, full);
    });
  }

  /** Streams a file into `res`; the agent lease is held until the last byte is sent. */
  read(t: FileTarget, p: string, user: SandboxUser, res: ServerResponse): Promise<void> {
    const full = sandboxPath(p);
    return this.with(t, full, async (agent) => {
      const who = identity(user);
      const st = await agent.stat(full, who);
      if (st.type === 'dir') throw new AppError('bad_request', `${full}: is a directory`);
      const stream = await agent.readStream(full, who);
      const headers: Record<string, string | number> = {
        'content-type': 'application/octet-stream',
        'cache-control': 'no-store',
      };
      // Only a regular file's size is its length (a /proc-like or growing file may differ).
      if (st.type === 'file') headers['content-length'] = st.size;
      res.writeHead(200, headers);
      await pipeline(stream, res).catch((err) => {
        // Headers are out: the only honest signal left is cutting the connection.
        res.destroy(err);
      });
    });
  }

  /** Streams the request body into the file, atomically; over the cap nothing is written. */
  write(
    t: FileTarget,
    p: string,
    opts: { mode?: string; parents: boolean; user: SandboxUser },
    body: IncomingMessage,
  ): Promise<FileWriteResult> {
    const full = sandboxPath(p);
    const declared = Number(body.headers['content-length'] ?? -1);
    if (declared > this.maxUploadBytes) throw tooLarge(this.maxUploadBytes);
    return this.with(t, full, async (agent) => {
      // The agent gets a stage of ours, never the request itself: on the cap it destroys its
      // source, and destroying the request would cut the socket before the 413 is sent.
      let size = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          cb(null, chunk);
        },
      });
      body.on('error', (err) => counted.destroy(err));
      body.pipe(counted);
      await agent.write(
        full,
        counted,
        {
          mode: opts.mode ? Number.parseInt(opts.mode, 8) : undefined,
          parents: opts.parents,
          maxBytes: this.maxUploadBytes,
        },
        identity(opts.user),
      );
      return { path: full, size };
    });
  }

  mkdir(t: FileTarget, p: string, user: SandboxUser): Promise<void> {
    const full = sandboxPath(p);
    return this.with(t, full, (agent) => agent.mkdir(full, { parents: true }, identity(user)));
  }

  rename(t: FileTarget, from: string, to: string, user: SandboxUser): Promise<void> {
    const a = sandboxPath(from);
    const b = sandboxPath(to);
    return this.with(t, a, (agent) => agent.rename(a, b, identity(user)));
  }

  remove(t: FileTarget, p: string, recursive: boolean, user: SandboxUser): Promise<void> {
    const full = sandboxPath(p);
    if (full === '/') throw new AppError('bad_request', 'Refusing to remove /');
    return this.with(t, full, (agent) => agent.remove(full, { recursive }, identity(user)));
  }
}

function tooLarge(max: number): AppError {
  return new AppError('payload_too_large', `File is larger than the ${max} byte upload limit`);
}

/** A watch's ENOSPC is the agent's directory bound (or the kernel's inotify limit), not a full disk. */
function watchError(err: unknown, p: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EMFILE') return new AppError('quota_exceeded', `${p}: ${(err as Error).message}`);
  if (code === 'EOVERFLOW') return new AppError('conflict', `${p}: ${(err as Error).message}`);
  return mapAgentError(err, p);
}

function mapAgentError(err: unknown, p: string): unknown {
  if (err instanceof AgentLimitError) return tooLarge(err.limit);
  if (err instanceof AgentConnectionError) {
    return new AppError('conflict', `Lost the connection to the sandbox agent (${err.message})`);
  }
  return mapFsError(err, p);
}
