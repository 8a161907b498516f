import http from 'node:http';
import type { Duplex } from 'node:stream';
import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { runnerClient } from '@/lib/runners/registry';
import { refuseUpgrade, spliceUpgrade } from '@/lib/server/upgrade-splice';
import { sendJson } from '../http';
import { trafficTokenAllows } from '../access-token';

/**
 * `getHost(port)` → `{port}-{sandboxId}.{domain}`: HTTP and WebSocket to that port inside the
 * sandbox through its runner's reverse proxy (the same one Warren's previews use). Open to anyone
 * when the sandbox was made with E2B's public traffic, else with its `e2b-traffic-access-token`.
 */
type Reach = { ok: true; runnerId: string } | { ok: false; status: number; message: string };

async function reach(req: http.IncomingMessage, sandboxId: string): Promise<Reach> {
  const db = await getDb();
  const { sandboxes } = schema;
  const [row] = await db
    .select({ runnerId: sandboxes.runnerId, state: sandboxes.state, open: sandboxes.e2bPublicPorts })
    .from(sandboxes)
    .where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.deletedAt)));
  const token = req.headers['e2b-traffic-access-token'];
  if (!row || !(row.open || trafficTokenAllows(sandboxId, Array.isArray(token) ? token[0] : token)))
    return { ok: false, status: 404, message: 'Sandbox not found or its ports are not public' };
  if (row.state !== 'running') return { ok: false, status: 502, message: `The sandbox is ${row.state}` };
  return { ok: true, runnerId: row.runnerId };
}

/** The app in the sandbox sees the client's request, minus the gateway's own token. */
function forwardHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...req.headers, 'x-forwarded-host': req.headers.host };
  delete headers['e2b-traffic-access-token'];
  return headers;
}

export async function proxyToPort(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  sandboxId: string,
  port: number,
): Promise<void> {
  const r = await reach(req, sandboxId);
  if (!r.ok) return sendJson(res, r.status, { code: r.status, message: r.message });
  const client = await runnerClient(r.runnerId);
  const upstream = http.request(
    client.proxyRequestOptions(sandboxId, port, req.url ?? '/', req.method ?? 'GET', forwardHeaders(req)),
  );
  upstream.on('response', (up) => {
    res.writeHead(up.statusCode ?? 502, up.rawHeaders);
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) sendJson(res, 502, { code: 502, message: 'The sandbox could not be reached' });
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** A WebSocket (any HTTP upgrade) to the port: the same access rule, then bytes both ways. */
export async function upgradeToPort(
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  sandboxId: string,
  port: number,
): Promise<void> {
  const r = await reach(req, sandboxId);
  if (!r.ok) return refuseUpgrade(socket, r.status);
  const client = await runnerClient(r.runnerId);
  spliceUpgrade(
    http.request(client.proxyRequestOptions(sandboxId, port, req.url ?? '/', req.method ?? 'GET', forwardHeaders(req))),
    socket,
    head,
  );
}
