import { signToken, verifyToken } from '@/lib/crypto/signed-token';

/**
 * A terminal ticket lets one browser open one sandbox's terminal session over the console's
 * WebSocket for a minute: the browser never holds the runner token or an API key. `share` is
 * set when the ticket came from an embed link, so revoking the link can cut the viewer off.
 */
export type TerminalTicket = {
  sandboxId: string;
  orgId: string;
  sessionId: string;
  mode: 'rw' | 'ro';
  share: string | null;
};

const PURPOSE = 'terminal-ticket';
export const TICKET_TTL_SEC = 60;

export function issueTicket(t: TerminalTicket): string {
  return signToken(PURPOSE, t, TICKET_TTL_SEC);
}

export function readTicket(token: string | null | undefined): TerminalTicket | null {
  const c = verifyToken<TerminalTicket>(PURPOSE, token);
  return c ? { sandboxId: c.sandboxId, orgId: c.orgId, sessionId: c.sessionId, mode: c.mode, share: c.share } : null;
}
