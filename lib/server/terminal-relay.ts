import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { can } from '@/lib/auth/permissions';
import { resolveOrgScope } from '@/lib/auth/resolve-scope';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { runnerClient } from '@/lib/runners/registry';
import { sandboxIdFor } from '@/lib/sandboxes/names';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { addShareViewer } from '@/lib/terminal/live-viewers';
import { openTerminal } from '@/lib/terminal/open-terminal';
import { readTicket, type TerminalTicket } from '@/lib/terminal/tickets';
import { shareIsLive } from '@/lib/embeds/shares';

/**
 * The terminal WebSocket on the console's own server: `GET /api/v1/sandboxes/:id/terminal`.
 * Browsers come with a short-lived ticket (?ticket=); SDKs with an API key (Authorization).
 * The console relays frames to the runner's PTY session (binary = bytes, text = JSON control)
 * so the browser never talks to the runner or holds its token.
 */
// The sandbox's id or its name (lib/sandboxes/names.ts).
const PATH = /^\/api\/v1\/sandboxes\/([a-z0-9][a-z0-9-]{0,62})\/terminal$/;
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const log = logger.child({ component: 'terminal-relay' });

export function terminalUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const url = new URL(req.url ?? '/', 'http://console');
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  void authorize(req, url, m[1]!)
    .then((ticket) => wss.handleUpgrade(req, socket, head, (ws) => relay(ws, ticket)))
    .catch((err) => refuse(socket, err));
  return true;
}

async function authorize(req: http.IncomingMessage, url: URL, ref: string): Promise<TerminalTicket> {
  const fromTicket = url.searchParams.get('ticket');
  if (fromTicket) {
    const t = readTicket(fromTicket);
    const sandboxId = t ? await sandboxIdFor({ orgId: t.orgId }, ref).catch(() => null) : null;
    if (!t || t.sandboxId !== sandboxId) throw new AppError('unauthorized', 'The terminal ticket is invalid or expired');
    if (t.share && !(await shareIsLive(t.share))) throw new AppError('unauthorized', 'This share link was revoked');
    return t;
  }
  // SDKs: an API key (or a console session + x-warren-org) with developer rights.
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const scope = await resolveOrgScope(new Request('http://console/', { headers }));
  if (!can(scope.role, 'sandboxes:write')) throw new AppError('forbidden', `Your role (${scope.role}) cannot open terminals`);
  const num = (k: string) => Number(url.searchParams.get(k)) || undefined;
  const sandboxId = await sandboxIdFor(scope, ref);
  const opened = await openTerminal(scope, sandboxId, {
    sessionId: url.searchParams.get('session') ?? undefined,
    cols: num('cols'),
    rows: num('rows'),
    // `new=1`: a terminal of its own (SDK pty.create, warren shell) rather than the newest one.
    fresh: url.searchParams.get('new') === '1',
  });
  return readTicket(opened.ticket)!;
}

async function relay(browser: WebSocket, t: TerminalTicket) {
  // Listen at once: keystrokes sent right after the socket opens must not be lost while the
  // runner connection is still being set up.
  const pending: Array<[WebSocket.RawData, boolean]> = [];
  let upstream: WebSocket | undefined;
  browser.on('message', (data, isBinary) => {
    if (t.mode === 'ro') return; // read-only viewers watch; keystrokes and resizes are dropped
    if (upstream?.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else pending.push([data, isBinary]);
  });
  try {
    const row = await ownedSandbox({ orgId: t.orgId }, t.sandboxId);
    upstream = (await runnerClient(row.runnerId)).connectPty(t.sandboxId, t.sessionId);
  } catch (err) {
    browser.close(1011, (err as Error).message.slice(0, 120));
    return;
  }
  const up = upstream;
  if (browser.readyState !== WebSocket.OPEN) {
    up.on('open', () => up.close()); // the viewer left while we were connecting
    return;
  }
  const dropShare = t.share ? addShareViewer(t.share, () => browser.close(4001, 'share link revoked')) : undefined;

  browser.send(JSON.stringify({ type: 'session', sessionId: t.sessionId, mode: t.mode }));
  up.on('open', () => {
    for (const [data, binary] of pending.splice(0)) up.send(data, { binary });
  });
  up.on('message', (data, isBinary) => {
    if (browser.readyState === WebSocket.OPEN) browser.send(data, { binary: isBinary });
  });
  const closeBoth = (code: number, reason: string) => {
    dropShare?.();
    if (browser.readyState <= WebSocket.OPEN) browser.close(code, reason);
    if (up.readyState <= WebSocket.OPEN) up.close();
  };
  up.on('close', (code) => closeBoth(code === 1000 ? 1000 : 1011, 'terminal closed'));
  up.on('error', (err) => {
    log.warn({ err: err.message, sandbox: t.sandboxId }, 'runner terminal connection failed');
    closeBoth(1011, 'runner unavailable');
  });
  browser.on('close', () => closeBoth(1000, 'viewer left'));
  browser.on('error', () => closeBoth(1011, 'viewer error'));
}

function refuse(socket: Duplex, err: unknown) {
  const status = err instanceof AppError ? err.status : 500;
  const body = JSON.stringify({
    error: err instanceof AppError ? { code: err.code, message: err.message } : { code: 'internal', message: 'Could not open the terminal' },
  });
  if (!(err instanceof AppError)) log.error({ err }, 'terminal upgrade failed');
  socket.end(`HTTP/1.1 ${status} Error\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
