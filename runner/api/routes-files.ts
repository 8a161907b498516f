import { AppError } from '@/lib/errors';
import type { FileTarget } from '@/runner/services/file-service';
import type { ApiDeps } from './deps';
import { discardBody, json, parseQuery, readJson } from './http';
import type { RouteContext, Router } from './router';
import {
  filePathQuery,
  fileRemoveQuery,
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
    .on('GET', '/v1/sandboxes/:id/files/stat', async (ctx) => {
      const q = parseQuery(ctx.url, filePathQuery);
      return json(200, await files.stat(sandbox(ctx), q.path, q.user));
    })
    .on('GET', '/v1/sandboxes/:id/files/content', async (ctx) => {
      const q = parseQuery(ctx.url, filePathQuery);
      await files.read(sandbox(ctx), q.path, q.user, ctx.res);
      return undefined;
    })
    .on('PUT', '/v1/sandboxes/:id/files/content', async (ctx) => {
      const q = parseQuery(ctx.url, fileWriteQuery);
      try {
        return json(200, await files.write(sandbox(ctx), q.path, q, ctx.req));
      } catch (err) {
        if (err instanceof AppError && err.code === 'payload_too_large') refuseRestOfUpload(ctx);
        throw err;
      }
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

/**
 * After a 413 the client may still be sending. Draining a little keeps well-behaved clients
 * able to read the answer; closing soon after keeps a huge upload from being read for nothing.
 */
function refuseRestOfUpload({ req, res }: RouteContext): void {
  res.setHeader('connection', 'close');
  const timer = setTimeout(() => req.destroy(), 2000);
  timer.unref();
  req.on('end', () => clearTimeout(timer));
}
