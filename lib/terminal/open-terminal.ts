import { conflict } from '@/lib/errors';
import { onRunner } from '@/lib/sandboxes/lifecycle';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { issueTicket } from './tickets';

/**
 * Gets a terminal for a sandbox and a ticket to open it over the console's WebSocket. Without
 * a session id it re-joins the sandbox's newest live terminal (so a reload or a second tab
 * lands in the same shell) or starts one; with an id it joins exactly that session.
 */
export type OpenTerminal = {
  sessionId?: string;
  cols?: number;
  rows?: number;
  mode?: 'rw' | 'ro';
  share?: string | null;
  /** Always start a new shell instead of joining the newest one. */
  fresh?: boolean;
};

export async function openTerminal(scope: { orgId: string }, sandboxId: string, o: OpenTerminal = {}) {
  const row = await ownedSandbox(scope, sandboxId);
  if (row.state !== 'running') throw conflict(`The sandbox is ${row.state}; start it to open a terminal`);
  const sessionId = await onRunner(row, async (c) => {
    const live = (await c.pty.list(sandboxId)).filter((s) => !s.exited);
    if (o.sessionId) {
      if (live.some((s) => s.sessionId === o.sessionId)) return o.sessionId;
      // The asked-for shell has ended: fall through to a new one rather than fail the reconnect.
    } else if (!o.fresh && live.length) {
      return live.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!.sessionId;
    }
    const created = await c.pty.create(sandboxId, { cols: o.cols ?? 80, rows: o.rows ?? 24 });
    return created.sessionId;
  });
  const ticket = issueTicket({ sandboxId, orgId: row.orgId, sessionId, mode: o.mode ?? 'rw', share: o.share ?? null });
  return { sessionId, ticket, url: `/api/v1/sandboxes/${sandboxId}/terminal?ticket=${encodeURIComponent(ticket)}` };
}
