import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { idempotent } from '@/lib/api/idempotency';
import { createSnapshot, listSnapshots } from '@/lib/sandboxes/snapshots';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { createSnapshotBody } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Freezes the sandbox's filesystem into a snapshot (a running sandbox is paused meanwhile). */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) =>
  idempotent(req, scope, async (attempt) => {
    const { name } = await parseJson(req, createSnapshotBody);
    return Response.json(await createSnapshot(scope, params.id!, name, attempt), { status: 201 });
  }),
);

export const GET = withSandbox('sandboxes:read', async ({ scope, params }) => {
  const sb = await ownedSandbox(scope, params.id!);
  return Response.json({ snapshots: await listSnapshots(scope, { sandboxId: sb.id }) });
});
