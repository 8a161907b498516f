import WebSocket from 'ws';
import type { OrgScope } from '@/lib/auth/scope';
import { attachPty } from '@/lib/sandboxes/ptys';

/**
 * Open viewer sockets to the runner's terminals, by sandbox and pid, so SendInput reaches a PTY
 * without a socket per keystroke. The socket of a running Start stream is registered here; one
 * opened only for input closes after a minute of silence.
 */
const sockets = new Map<string, { ws: WebSocket; idle?: NodeJS.Timeout }>();
const IDLE_MS = 60_000;
const keyOf = (sandboxId: string, pid: number) => `${sandboxId}:${pid}`;

export function registerPtySocket(sandboxId: string, pid: number, ws: WebSocket): void {
  const key = keyOf(sandboxId, pid);
  sockets.set(key, { ws });
  ws.once('close', () => {
    if (sockets.get(key)?.ws === ws) sockets.delete(key);
  });
}

export async function ptySocket(
  scope: OrgScope,
  sandboxId: string,
  pid: number,
  sessionId: string,
): Promise<WebSocket> {
  const key = keyOf(sandboxId, pid);
  const known = sockets.get(key);
  if (known && known.ws.readyState === WebSocket.OPEN) {
    if (known.idle) known.idle.refresh();
    return known.ws;
  }
  const ws = await attachPty(scope, sandboxId, sessionId);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Recent output is replayed to every new viewer; an input-only socket ignores it.
  ws.on('message', () => {});
  const entry = { ws, idle: setTimeout(() => ws.close(), IDLE_MS) };
  entry.idle.unref();
  sockets.set(key, entry);
  ws.once('close', () => {
    clearTimeout(entry.idle);
    if (sockets.get(key)?.ws === ws) sockets.delete(key);
  });
  return ws;
}
