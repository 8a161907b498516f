import type { FileTarget } from '@/runner/services/file-service';
import type { ApiDeps } from './deps';
import { discardBody, json, parseQuery, readJson } from './http';
import type { RouteContext, Router } from './router';
import {
  filePathQuery,
  fileRemoveQuery,
  fileWatchQuery,
  fileWriteQuery,
  mkdirSchema,
  renameSchema,
  snapshotFilesQuery,
} from './schemas';

/** Files of sandboxes (running or stopped) and, read-only, of snapshots. */
export function fileRoutes(router: Router, deps: ApiDeps): void {
  const { files } = deps;
  const sandbox = (ctx: RouteContext): FileTarget => ({ kind: 'sandbox', id: ctx.params.id! });
  const snapshot = (ctx: RouteContext): FileTarget => ({ kind: 'snapshot', id: ctx.params.id! });

  router
    .on('GET', '/v1/sandboxes/:id/files', async (ctx) => {
      const q = parseQuery(ctx.url, filePathQuery);
      return json(200, { entries: await files.list(sandbox(ctx), q.path, q.user) });
    })
    .on('GET', '/v1/sandboxes/:id/files/watch', async (ctx) => {
      const q = parseQuery(ctx.url, fileWatchQuery);
      await files.watch(ctx.params.id!, q.path, { recursive: q.recursive, user: q.user }, ctx.res);
      return undefined;
    })
    .on('GET', '/v1/sandboxes/:id/files/stat', async (ctx) => {
      const q = parseQuery(ctx.url, filePathQuery);
      return json(200, await files.stat(sandbox(ctx), q.path, q.user));
    })
    .on('GET', '/v1/sandboxes/:id/files/content', async (ctx) => {
      const q = parseQuery(ctx.url, filePathQuery);
      await files.read(sandbox(ctx), q.path, q.user, ctx.res);
      return undefined;
    })
    // A refusal (413 over the cap, 403 for a path the sandbox may not write…) usually comes
    // before the body has all arrived: sendJson (http.ts) answers at once and drains the rest
    // briefly, so the client reads the refusal instead of a broken pipe.
    .on('PUT', '/v1/sandboxes/:id/files/content', async (ctx) => {
      const q = parseQuery(ctx.url, fileWriteQuery);
      return json(200, await files.write(sandbox(ctx), q.path, q, ctx.req));
    })
    .on('POST', '/v1/sandboxes/:id/files/mkdir', async (ctx) => {
      const b = await readJson(ctx.req, mkdirSchema);
      await files.mkdir(sandbox(ctx), b.path, b.user);
      return json(200, { ok: true });
    })
    .on('POST', '/v1/sandboxes/:id/files/rename', async (ctx) => {
      const b = await readJson(ctx.req, renameSchema);
      await files.rename(sandbox(ctx), b.from, b.to, b.user);
      return json(200, { ok: true });
    })
    .on('DELETE', '/v1/sandboxes/:id/files', async (ctx) => {
      discardBody(ctx.req);
      const q = parseQuery(ctx.url, fileRemoveQuery);
      await files.remove(sandbox(ctx), q.path, q.recursive, q.user);
      return json(200, { ok: true });
    })
    // Snapshots are browsed as root: they are read-only, and the browser shows the whole layer.
    .on('GET', '/v1/snapshots/:id/files', async (ctx) => {
      const q = parseQuery(ctx.url, snapshotFilesQuery);
      return json(200, { entries: await files.list(snapshot(ctx), q.path, 'root') });
    })
    .on('GET', '/v1/snapshots/:id/files/stat', async (ctx) => {
      const q = parseQuery(ctx.url, snapshotFilesQuery);
      return json(200, await files.stat(snapshot(ctx), q.path, 'root'));
    })
    .on('GET', '/v1/snapshots/:id/files/content', async (ctx) => {
      const q = parseQuery(ctx.url, snapshotFilesQuery);
      await files.read(snapshot(ctx), q.path, 'root', ctx.res);
      return undefined;
    });
}

