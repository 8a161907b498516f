import { parseJson, withOrg } from '@/lib/api/handler';
import { idempotent } from '@/lib/api/idempotency';
import { createSandbox } from '@/lib/sandboxes/create';
import { listSandboxesJson } from '@/lib/sandboxes/queries';
import { listSandboxesQuery, publicCreateSandboxBody } from '@/lib/schemas/sandboxes';

export const dynamic = 'force-dynamic';

/** Filters: state=, metadata=key:value (repeatable, all must match), cursor=, limit= (≤ 100). */
export const GET = withOrg('sandboxes:read', async ({ req, scope }) => {
  const sp = new URL(req.url).searchParams;
  const raw: Record<string, string | string[]> = Object.fromEntries(sp);
  const meta = sp.getAll('metadata');
  if (meta.length) raw.metadata = meta;
  const q = listSandboxesQuery.parse(raw);
  return new Response(await listSandboxesJson(scope, q), { headers: { 'content-type': 'application/json' } });
});

/** Create or fork (`snapshotId`); an `Idempotency-Key` makes a retried create return the first sandbox. */
export const POST = withOrg('sandboxes:write', async ({ req, scope }) =>
  idempotent(req, scope, async (attempt) => {
    const body = await parseJson(req, publicCreateSandboxBody);
    return Response.json(await createSandbox(scope, body, attempt), { status: 201 });
  }),
);
