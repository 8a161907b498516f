import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { AppError } from '@/lib/errors';
import type { FileEntry, FileWatchKind, FileWatchLine } from '@/lib/runner-client';
import { listFiles, makeDir, removeFile, renameFile, statFile, watchDir } from '@/lib/sandboxes/files';
import { sandboxPath } from '@/lib/schemas/sandboxes';
import type { Caller } from './caller';
import { entryInfo } from './entry-info';
import { keepaliveMs, withKeepalive } from './keepalive';
import { callerOf, mapped, toConnectError } from './rpc-context';

/**
 * envd's filesystem.Filesystem over lib/sandboxes/files (the runner's agent resolves every path
 * inside the sandbox as the chosen user). Relative paths are taken from /home/user, as envd does.
 */
const MAX_LISTED = 10_000;
const WATCH_POLL_MS = 250;

const HOME = { user: '/home/user', root: '/root' } as const;
const abs = (c: Caller, p: string) =>
  sandboxPath.parse(p.startsWith('/') ? p : `${HOME[c.user]}/${p}`.replace(/\/+$/, '') || '/');

const isNotFound = (err: unknown) => (err as { status?: number }).status === 404;

async function walk(c: Caller, dir: string, depth: number, signal: AbortSignal, into: FileEntry[]): Promise<void> {
  const { entries } = await listFiles(c.scope, c.row.id, dir, signal, c.user);
  for (const e of entries) {
    if (into.length >= MAX_LISTED)
      throw new AppError('payload_too_large', `More than ${MAX_LISTED} entries; list a smaller depth`);
    into.push(e);
    if (depth > 1 && e.type === 'dir') await walk(c, e.path, depth - 1, signal, into);
  }
}

type Snapshot = Map<string, string>;
async function snapshot(c: Caller, dir: string, recursive: boolean, signal: AbortSignal): Promise<Snapshot> {
  const found: FileEntry[] = [];
  await walk(c, dir, recursive ? 64 : 1, signal, found);
  return new Map(found.map((e) => [e.path, `${e.type}:${e.size}:${e.mtime}`]));
}

const EVENT_TYPES: Record<FileWatchKind, number> = { create: 1, write: 2, remove: 3, rename: 4, chmod: 5 };
/** Warren writes a file as a temp file renamed into place; its events are plumbing, not the user's. */
const WRITE_TEMP = /(^|\/)\.[^/]*\.warren-\d+-\d+$/;
/** What an older runner (no watch route) or agent (unknown request) answers a watch with. */
const NO_WATCH = /No route for GET|unknown request type/;

type WatchOut = { event: { case: 'start' | 'keepalive'; value: object } | { case: 'filesystem'; value: { name: string; type: number } } };

async function* watchEvents(req: { path: string; recursive: boolean }, ctx: HandlerContext): AsyncGenerator<WatchOut> {
  const c = callerOf(ctx);
  const dir = await mapped(async () => abs(c, req.path));
  let lines: AsyncGenerator<FileWatchLine>;
  try {
    lines = await watchDir(c.scope, c.row.id, dir, { recursive: req.recursive, user: c.user, signal: ctx.signal });
  } catch (err) {
    if (!NO_WATCH.test((err as Error).message ?? '')) throw toConnectError(err);
    yield* pollEvents(c, dir, req.recursive, ctx);
    return;
  }
  yield { event: { case: 'start', value: {} } };
  try {
    for await (const line of lines) {
      if (line.type === 'error') throw new AppError(line.code === 'quota_exceeded' ? 'quota_exceeded' : 'conflict', line.message);
      if (line.type !== 'event' || WRITE_TEMP.test(line.name)) continue;
      yield { event: { case: 'filesystem', value: { name: line.name, type: EVENT_TYPES[line.kind] } } };
    }
  } catch (err) {
    if (ctx.signal.aborted) return;
    throw toConnectError(err);
  } finally {
    await lines.return(undefined).catch(() => {});
  }
}

/** The fallback: the agent's listings compared every 250 ms (a change undone within one goes unseen). */
async function* pollEvents(c: Caller, dir: string, recursive: boolean, ctx: HandlerContext): AsyncGenerator<WatchOut> {
  let before = await mapped(() => snapshot(c, dir, recursive, ctx.signal));
  yield { event: { case: 'start', value: {} } };
  while (!ctx.signal.aborted) {
    await new Promise((r) => setTimeout(r, WATCH_POLL_MS));
    if (ctx.signal.aborted) break;
    let now: Snapshot;
    try {
      now = await snapshot(c, dir, recursive, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) break;
      throw toConnectError(err);
    }
    const name = (p: string) => p.slice(dir.length).replace(/^\/+/, '');
    const events: { name: string; type: number }[] = [];
    for (const [p, sig] of now) {
      const old = before.get(p);
      if (old === undefined) events.push({ name: name(p), type: 1 });
      else if (old !== sig) events.push({ name: name(p), type: 2 });
    }
    for (const p of before.keys()) if (!now.has(p)) events.push({ name: name(p), type: 3 });
    before = now;
    for (const e of events) yield { event: { case: 'filesystem', value: e } };
  }
}

export const filesystemImpl = {
  async stat(req: { path: string }, ctx: HandlerContext) {
    const c = callerOf(ctx);
    return mapped(async () => ({
      entry: entryInfo(await statFile(c.scope, c.row.id, abs(c, req.path), ctx.signal, c.user), c.user),
    }));
  },

  async listDir(req: { path: string; depth: number }, ctx: HandlerContext) {
    const c = callerOf(ctx);
    return mapped(async () => {
      const dir = abs(c, req.path);
      const root = await statFile(c.scope, c.row.id, dir, ctx.signal, c.user);
      if (root.type !== 'dir') throw new AppError('bad_request', `${dir} is not a directory`);
      const found: FileEntry[] = [];
      await walk(c, dir, Math.max(1, req.depth || 1), ctx.signal, found);
      return { entries: found.map((e) => entryInfo(e, c.user)) };
    });
  },

  async makeDir(req: { path: string }, ctx: HandlerContext) {
    const c = callerOf(ctx);
    const path = await mapped(async () => abs(c, req.path));
    const existing = await statFile(c.scope, c.row.id, path, ctx.signal, c.user).catch((err) =>
      isNotFound(err) ? null : Promise.reject(toConnectError(err)),
    );
    if (existing) throw new ConnectError(`${path} already exists`, Code.AlreadyExists);
    return mapped(async () => {
      await makeDir(c.scope, c.row.id, path, c.user);
      return { entry: entryInfo(await statFile(c.scope, c.row.id, path, ctx.signal, c.user), c.user) };
    });
  },

  async move(req: { source: string; destination: string }, ctx: HandlerContext) {
    const c = callerOf(ctx);
    return mapped(async () => {
      const to = abs(c, req.destination);
      await renameFile(c.scope, c.row.id, abs(c, req.source), to, c.user);
      return { entry: entryInfo(await statFile(c.scope, c.row.id, to, ctx.signal, c.user), c.user) };
    });
  },

  async remove(req: { path: string }, ctx: HandlerContext) {
    const c = callerOf(ctx);
    return mapped(async () => {
      await removeFile(c.scope, c.row.id, abs(c, req.path), true, c.user);
      return {};
    });
  },

  /**
   * Directory events from inotify in the sandbox's agent (immediate and complete: create, write,
   * remove, rename, chmod). A runner or agent from before watches existed is polled instead.
   */
  watchDir(req: { path: string; recursive: boolean }, ctx: HandlerContext) {
    return withKeepalive(watchEvents(req, ctx), keepaliveMs(ctx.requestHeader.get('keepalive-ping-interval')), () => ({
      event: { case: 'keepalive' as const, value: {} },
    }));
  },
};
