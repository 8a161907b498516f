import type http from 'node:http';
import type { Permission } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, conflict } from '@/lib/errors';
import { deleteSandbox, sandboxAction, sandboxMetrics, setSandboxTimeout } from '@/lib/sandboxes/lifecycle';
import { getSandbox, listSandboxes } from '@/lib/sandboxes/queries';
import { createSnapshot } from '@/lib/sandboxes/snapshots';
import { readJsonBody, sendError, sendJson } from './http';
import { createdJson, detailJson } from './sandbox-json';
import { connectE2bSandbox, createE2bSandbox, e2bCreateBody, e2bTimeoutBody } from './sandboxes';
import { e2bScope } from './scope';
import { listQuery } from './list-query';

/**
 * The E2B REST API under /api/e2b (E2B_API_URL=http://<console>/api/e2b), served by the console
 * process itself before Next sees the request: each route is parse → scope → Warren's service →
 * E2B's JSON. Unknown paths are a JSON 404 too.
 */
export const E2B_PREFIX = '/api/e2b';

type Ctx = { req: http.IncomingMessage; res: http.ServerResponse; scope: OrgScope; id: string; url: URL };
type Route = { method: string; pattern: RegExp; permission: Permission; run: (c: Ctx) => Promise<void> };

const ID = '([^/]+)';
const keyId = (scope: OrgScope) => {
  if (scope.actor.type !== 'api_key') throw new AppError('unauthorized', 'Send an API key in the X-API-KEY header');
  return scope.actor.apiKeyId;
};

async function create({ req, res, scope }: Ctx) {
  const body = e2bCreateBody.parse(await readJsonBody(req));
  const view = await createE2bSandbox(scope, body);
  sendJson(res, 201, createdJson(view, keyId(scope), body.network?.allowPublicTraffic !== false));
}

async function connect({ req, res, scope, id }: Ctx) {
  const body = e2bTimeoutBody.partial().parse(await readJsonBody(req));
  const { view, resumed, publicPorts } = await connectE2bSandbox(scope, id, body.timeout);
  sendJson(res, resumed ? 201 : 200, createdJson(view, keyId(scope), publicPorts));
}

async function list({ res, scope, url }: Ctx) {
  const q = listQuery(url);
  const page = await listSandboxes(scope, {
    states: q.states,
    metadata: q.metadata,
    cursor: q.nextToken,
    limit: q.limit,
  });
  sendJson(res, 200, page.sandboxes.map(detailJson), page.nextCursor ? { 'x-next-token': page.nextCursor } : {});
}

async function listV1({ res, scope, url }: Ctx) {
  const q = listQuery(url);
  const page = await listSandboxes(scope, { states: ['running'], metadata: q.metadata, limit: 100 });
  sendJson(res, 200, page.sandboxes.map(detailJson));
}

const routes: Route[] = [
  { method: 'POST', pattern: /^\/sandboxes$/, permission: 'sandboxes:write', run: create },
  { method: 'POST', pattern: /^\/v2\/sandboxes$/, permission: 'sandboxes:write', run: create },
  { method: 'GET', pattern: /^\/sandboxes$/, permission: 'sandboxes:read', run: listV1 },
  { method: 'GET', pattern: /^\/v2\/sandboxes$/, permission: 'sandboxes:read', run: list },
  {
    method: 'GET',
    pattern: new RegExp(`^/sandboxes/${ID}$`),
    permission: 'sandboxes:read',
    run: async ({ res, scope, id }) => sendJson(res, 200, detailJson(await getSandbox(scope, id))),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/sandboxes/${ID}$`),
    permission: 'sandboxes:delete',
    run: async ({ res, scope, id }) => {
      await deleteSandbox(scope, id, { by: scope, data: { via: 'e2b' } });
      sendJson(res, 204, undefined);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandboxes/${ID}/timeout$`),
    permission: 'sandboxes:write',
    run: async ({ req, res, scope, id }) => {
      const { timeout } = e2bTimeoutBody.parse(await readJsonBody(req));
      await setSandboxTimeout(scope, id, Math.max(1, timeout));
      sendJson(res, 204, undefined);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandboxes/${ID}/refreshes$`),
    permission: 'sandboxes:write',
    run: async ({ req, res, scope, id }) => {
      const body = (await readJsonBody(req)) as { duration?: unknown };
      const duration = typeof body.duration === 'number' && body.duration > 0 ? Math.floor(body.duration) : 60;
      await connectE2bSandbox(scope, id, duration);
      sendJson(res, 204, undefined);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandboxes/${ID}/pause$`),
    permission: 'sandboxes:write',
    run: async ({ res, scope, id }) => {
      const view = await getSandbox(scope, id);
      if (view.state !== 'running') throw conflict(`Sandbox is ${view.state}; only a running sandbox can be paused`);
      await sandboxAction(scope, id, 'pause');
      sendJson(res, 204, undefined);
    },
  },
  { method: 'POST', pattern: new RegExp(`^/sandboxes/${ID}/connect$`), permission: 'sandboxes:write', run: connect },
  { method: 'POST', pattern: new RegExp(`^/v2/sandboxes/${ID}/connect$`), permission: 'sandboxes:write', run: connect },
  { method: 'POST', pattern: new RegExp(`^/sandboxes/${ID}/resume$`), permission: 'sandboxes:write', run: connect },
  {
    method: 'GET',
    pattern: new RegExp(`^/sandboxes/${ID}/metrics$`),
    permission: 'sandboxes:read',
    run: async ({ req, res, scope, id }) => {
      const view = await getSandbox(scope, id);
      if (view.state !== 'running') return sendJson(res, 200, []);
      const ac = new AbortController();
      req.once('close', () => ac.abort());
      const m = await sandboxMetrics(scope, id, ac.signal);
      sendJson(res, 200, [
        {
          timestamp: new Date().toISOString(),
          timestampUnix: Math.floor(Date.now() / 1000),
          cpuCount: Math.max(1, Math.ceil(view.cpu)),
          // Warren samples CPU time, not a percentage; the average since start is what it can say.
          cpuUsedPct: view.startedAt
            ? Math.min(
                100,
                (100 * m.cpuSeconds) /
                  Math.max(1, (Date.now() - Date.parse(view.startedAt)) / 1000) /
                  Math.max(1, view.cpu),
              )
            : 0,
          memUsed: m.memoryBytes,
          memTotal: view.memoryMb * 1024 * 1024,
          diskUsed: m.diskBytes,
          diskTotal: view.diskMb * 1024 * 1024,
        },
      ]);
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/sandboxes/${ID}/snapshots$`),
    permission: 'sandboxes:write',
    run: async ({ req, res, scope, id }) => {
      const body = (await readJsonBody(req)) as { name?: unknown };
      const snap = await createSnapshot(scope, id, typeof body.name === 'string' ? body.name.slice(0, 128) : undefined);
      sendJson(res, 201, { snapshotID: snap.id, names: snap.name ? [snap.name] : [] });
    },
  },
];

/** The console's HTTP route (lib/server/routes.ts): claims every path under /api/e2b. */
export function e2bRestHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://console');
  if (url.pathname !== E2B_PREFIX && !url.pathname.startsWith(`${E2B_PREFIX}/`)) return false;
  void serve(req, res, url).catch((err) => sendError(res, err));
  return true;
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const path = url.pathname.slice(E2B_PREFIX.length).replace(/\/+$/, '') || '/';
  const matching = routes.filter((r) => r.pattern.test(path));
  if (!matching.length) return sendJson(res, 404, { code: 404, message: `No E2B API route ${path}` });
  const route = matching.find((r) => r.method === (req.method === 'HEAD' ? 'GET' : req.method));
  if (!route)
    return sendJson(
      res,
      405,
      { code: 405, message: `${req.method} is not allowed here` },
      { allow: matching.map((r) => r.method).join(', ') },
    );
  const raw = route.pattern.exec(path)?.[1];
  let id = '';
  try {
    id = raw ? decodeURIComponent(raw) : '';
  } catch {
    throw new AppError('not_found', 'Sandbox not found');
  }
  const scope = await e2bScope(req, route.permission);
  await route.run({ req, res, scope, id, url });
}
