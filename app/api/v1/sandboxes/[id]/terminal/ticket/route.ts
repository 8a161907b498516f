import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { can } from '@/lib/auth/permissions';
import { terminalTicketBody } from '@/lib/schemas/shares';
import { openTerminal } from '@/lib/terminal/open-terminal';

export const dynamic = 'force-dynamic';

/** Viewers get a read-only ticket; developers and up an interactive one. */
export const POST = withSandbox('sandboxes:read', async ({ req, scope, params }) => {
  const body = await parseJson(req, terminalTicketBody);
  const mode = can(scope.role, 'sandboxes:write') ? 'rw' : 'ro';
  return Response.json(await openTerminal(scope, params.id!, { ...body, mode }));
});
