import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { createConnectRouter, createContextValues, type ServiceImpl } from '@connectrpc/connect';
import type { UniversalHandler } from '@connectrpc/connect/protocol';
import type { Permission } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { createWebServer, type TlsFiles } from '@/lib/net/tls';
import { refuseUpgrade } from '@/lib/server/upgrade-splice';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { Filesystem, Process } from '../envd/protos';
import { sendError, sendJson } from '../http';
import { callerByToken, callerByTraffic, ENVD_PORT, sandboxBySignature, targetOf, userOf } from './caller';
import { getFile, postFile } from './files-http';
import { filesystemImpl } from './filesystem-rpc';
import { processImpl } from './process-rpc';
import { CODE_INTERPRETER_PORT, codeInterpreterHttp } from './code-interpreter';
import { proxyToPort, upgradeToPort } from './port-proxy';
import { CALLER } from './rpc-context';

/**
 * The envd gateway: what an E2B client believes is the daemon inside its sandbox, on its own
 * port (E2B_SANDBOX_URL), served by Warren's services. Connect RPCs (JSON over HTTP/1.1, unary
 * and server-streaming) by @connectrpc/connect's own protocol handlers, plus `/files` and
 * `/health`. Every request names its sandbox (header or host) and carries its access token.
 */
const log = logger.child({ component: 'e2b-gateway' });

const router = createConnectRouter({ grpc: false, grpcWeb: false, connect: true });
router.service(Process, processImpl as unknown as Partial<ServiceImpl<typeof Process>>);
router.service(Filesystem, filesystemImpl as unknown as Partial<ServiceImpl<typeof Filesystem>>);
const handlers = new Map<string, UniversalHandler>(router.handlers.map((h) => [h.requestPath, h]));

/** Reads stay open to read-only keys; starting processes and changing files need write. */
const READ_RPCS = new Set([
  '/process.Process/List',
  '/filesystem.Filesystem/Stat',
  '/filesystem.Filesystem/ListDir',
  '/filesystem.Filesystem/WatchDir',
]);

export function createE2bGateway(tls: TlsFiles | null = null): http.Server {
  const server = createWebServer(tls, (req, res) => {
    void serve(req, res).catch((err) => sendError(res, err));
  });
  // WebSockets to getHost ports; envd and the interpreter's port have none.
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const target = targetOf(req);
    if (!target || target.port === ENVD_PORT || target.port === CODE_INTERPRETER_PORT) return refuseUpgrade(socket, 404);
    void upgradeToPort(req, socket, head, target.sandboxId, target.port).catch((err) => {
      log.warn({ err }, 'port upgrade failed');
      socket.destroy();
    });
  });
  // Streams (process output, watches) may be quiet for long: no idle cut from our side.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  return server;
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  const target = targetOf(req) ?? (await signedFileTarget(req, url));
  if (!target)
    return sendJson(res, 400, {
      code: 400,
      message: 'Say which sandbox: send E2b-Sandbox-Id, or use the host {port}-{sandboxId}.{domain}',
    });
  const { sandboxId } = target;
  if (target.port === CODE_INTERPRETER_PORT || header(req, 'e2b-sandbox-port') === String(CODE_INTERPRETER_PORT)) {
    // The clients send the access token with /execute only; managing contexts is public traffic
    // to port 49999, as on E2B (open when the sandbox's ports are, else with its traffic token).
    const token = header(req, 'x-access-token');
    const caller = token || url.pathname === '/execute'
      ? await callerByToken(sandboxId, token, req.method, 'sandboxes:write', 'user')
      : await callerByTraffic(sandboxId, header(req, 'e2b-traffic-access-token'), req.method);
    return codeInterpreterHttp(req, res, url, caller);
  }
  if (target.port !== ENVD_PORT) return proxyToPort(req, res, target.sandboxId, target.port);
  if (url.pathname === '/health') return health(req, res, sandboxId);
  if (url.pathname === '/files') {
    if (req.method === 'GET' || req.method === 'HEAD') return getFile(req, res, sandboxId, url);
    if (req.method === 'POST') return postFile(req, res, sandboxId, url);
    return sendJson(res, 405, { code: 405, message: 'GET or POST' }, { allow: 'GET, POST' });
  }
  const handler = handlers.get(url.pathname);
  if (!handler) return sendJson(res, 404, { code: 404, message: `Unknown envd path ${url.pathname}` });
  const permission: Permission = READ_RPCS.has(url.pathname) ? 'sandboxes:read' : 'sandboxes:write';
  const caller = await callerByToken(
    sandboxId,
    header(req, 'x-access-token'),
    'POST',
    permission,
    userOf(header(req, 'authorization')),
  );
  if (caller.row.state !== 'running') throw new AppError('bad_gateway', `The sandbox is ${caller.row.state}`);
  await runConnect(handler, req, res, caller);
}

/**
 * A signed file URL built from E2B_SANDBOX_URL names no sandbox: its signature says which one.
 * GET reads and POST writes, as the signature's operation.
 */
async function signedFileTarget(req: http.IncomingMessage, url: URL) {
  const signature = url.searchParams.get('signature');
  if (url.pathname !== '/files' || !signature || (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST'))
    return null;
  const q = url.searchParams;
  const sandboxId = await sandboxBySignature(
    { path: q.get('path') ?? '', username: q.get('username'), signature, expiration: q.get('signature_expiration') },
    req.method === 'POST' ? 'write' : 'read',
  );
  return { sandboxId, port: ENVD_PORT };
}

/** 204 while the sandbox runs; 502 once it is paused, stopped or gone (what the clients probe for). */
async function health(req: http.IncomingMessage, res: http.ServerResponse, sandboxId: string) {
  try {
    const caller = await callerByToken(sandboxId, header(req, 'x-access-token'), 'GET', 'sandboxes:read', 'user');
    const row = await ownedSandbox(caller.scope, sandboxId);
    if (row.state === 'running') return sendJson(res, 204, undefined);
    return sendJson(res, 502, { code: 502, message: `The sandbox is ${row.state}` });
  } catch (err) {
    if ((err as AppError).status === 404)
      return sendJson(res, 502, { code: 502, message: 'The sandbox is not running' });
    throw err;
  }
}

const header = (req: http.IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Node's request and response to and from Connect's universal handler shape. */
async function runConnect(
  handler: UniversalHandler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  caller: Awaited<ReturnType<typeof callerByToken>>,
) {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const values = createContextValues().set(CALLER, caller);
  const out = await handler({
    httpVersion: req.httpVersion,
    url: `http://gateway${req.url}`,
    method: req.method ?? 'POST',
    header: headers,
    body: req as AsyncIterable<Uint8Array>,
    signal: ac.signal,
    contextValues: values,
  });
  const head: Record<string, string> = {};
  out.header?.forEach((v, k) => {
    head[k] = v;
  });
  res.writeHead(out.status, head);
  if (!out.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of out.body) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  } catch (err) {
    log.debug({ err }, 'envd stream ended early');
    res.destroy();
  }
}
