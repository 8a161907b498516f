import type { ApiDeps } from './deps';
import { discardBody, json, readJson } from './http';
import type { Router } from './router';
import { createSnapshotSchema } from './schemas';

/** Snapshots (frozen upper layers); their files are served by routes-files. */
export function snapshotRoutes(router: Router, deps: ApiDeps): void {
  const { manager } = deps;
  router
    .on('POST', '/v1/sandboxes/:id/snapshots', async ({ req, params }) => {
      const { name, id } = await readJson(req, createSnapshotSchema);
      return json(201, await manager.createSnapshot(params.id!, name, id));
    })
    .on('GET', '/v1/snapshots', async () => json(200, { snapshots: manager.listSnapshots() }))
    .on('GET', '/v1/snapshots/:id', async ({ params }) => json(200, manager.getSnapshot(params.id!)))
    .on('DELETE', '/v1/snapshots/:id', async ({ req, params }) => {
      discardBody(req);
      await manager.deleteSnapshot(params.id!);
      return json(200, { ok: true });
    });
}
