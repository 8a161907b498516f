/** What a terminal pane needs from its host page: how to get a WebSocket URL for (re)connecting. */
export type TerminalConnection = { url: string; sessionId?: string };

export type ConnectRequest = { sessionId?: string; cols: number; rows: number; fresh?: boolean };

export type TerminalStatus = 'connecting' | 'connected' | 'reconnecting' | 'ended' | 'failed';

/** Thrown by a `connect` function when retrying cannot help (revoked link, stopped sandbox). */
export class TerminalFatalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminalFatalError';
  }
}

/** Backoff between reconnect attempts: quick at first (a blip), capped so a long outage does not spin. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}

/** Close code the relay uses when an embed link is revoked: viewers stay cut off. */
export const CLOSE_REVOKED = 4001;
