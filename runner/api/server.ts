import fs from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { SandboxManager } from '@/runner/sandbox/types';
import { DEFAULT_MAX_EXEC_OUTPUT, ExecService } from '@/runner/services/exec-service';
import { DEFAULT_MAX_UPLOAD, FileService } from '@/runner/services/file-service';
import { PortService } from '@/runner/services/port-service';
import { ProcessService } from '@/runner/services/process-service';
import { DEFAULT_PTY_GRACE_MS, DEFAULT_PTY_RING_BYTES, PtyService } from '@/runner/services/pty-service';
import { makeAuthCheck } from './auth';
import type { ApiDeps } from './deps';
import type { ImageStore } from '@/runner/images/image-store';
import type { BuildSteps } from '@/runner/images/build-steps';
import type { DebianBases } from '@/runner/images/debian-base';
import { imageRoutes } from './routes-images';
import { discardBody, sendError, sendJson, toErrorBody } from './http';
import { fileRoutes } from './routes-files';
import { portRoutes } from './routes-ports';
import { processRoutes } from './routes-processes';
import { ptyRoutes } from './routes-pty';
import { sandboxRoutes } from './routes-sandboxes';
import { snapshotRoutes } from './routes-snapshots';
import { Router } from './router';
import { PACKAGE_JSON } from '../paths';

export type RunnerServerOptions = {
  manager: SandboxManager;
  token: string;
  log: Logger;
  version?: string;
  /** How long a terminal with no viewer survives before it is killed. */
  ptyGraceMs?: number;
  ptyRingBytes?: number;
  maxUploadBytes?: number;
  maxExecOutputBytes?: number;
  /** The runner's image store; its routes exist only when there is one (not in API fixtures). */
  images?: ImageStore;
  /** Recipe build steps (runner/images/build-steps.ts), with the image store. */
  builds?: BuildSteps;
  debian?: DebianBases;
};

export type RunnerServer = http.Server & { deps: ApiDeps };

/**
 * The runner's HTTP + WebSocket API. The caller listens (unix socket or loopback) and closes;
 * closing detaches from terminals and background processes but never kills them, so a runner
 * restart leaves sandboxes' work running.
 */
export function createRunnerServer(opts: RunnerServerOptions): RunnerServer {
  const { manager, log } = opts;
  const isAuthorized = makeAuthCheck(opts.token);
  const pty = new PtyService(manager, log.child({ svc: 'pty' }), {
    graceMs: opts.ptyGraceMs ?? DEFAULT_PTY_GRACE_MS,
    ringBytes: opts.ptyRingBytes ?? DEFAULT_PTY_RING_BYTES,
  });
  const deps: ApiDeps = {
    manager,
    log,
    version: opts.version ?? packageVersion(),
    exec: new ExecService(manager, opts.maxExecOutputBytes ?? DEFAULT_MAX_EXEC_OUTPUT),
    processes: new ProcessService(manager, log.child({ svc: 'processes' }), (id) => pty.pids(id)),
    pty,
    files: new FileService(manager, opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD),
    ports: new PortService(manager, log.child({ svc: 'ports' })),
  };

  deps.pty.recover().catch((err) => log.warn({ err }, 'could not recover terminal sessions'));

  // However a sandbox stops (API, hard timeout, idle reaper) or is deleted, its terminals and
  // background processes are gone: drop them and their records so nothing re-attaches to a pid
  // that a later boot reuses.
  manager.onStopped?.((id) => {
    void deps.pty.forgetSandbox(id, true);
    deps.processes.forgetSandbox(id, true);
  });

  const router = new Router();
  sandboxRoutes(router, deps);
  processRoutes(router, deps);
  ptyRoutes(router, deps);
  fileRoutes(router, deps);
  snapshotRoutes(router, deps);
  portRoutes(router, deps);
  if (opts.images) imageRoutes(router, opts.images, opts.builds, opts.debian);

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://runner');
    if (!isNormalPath(req.url)) {
      discardBody(req);
      sendJson(res, 400, { error: { code: 'bad_request', message: 'Request paths must be normalized (no dot segments or encoded slashes)' } });
      return;
    }
    res.on('close', () => {
      const ms = Math.round(performance.now() - started);
      log.info({ method: req.method, path: url.pathname, status: res.statusCode, ms }, 'request');
    });
    if (!isAuthorized(req)) {
      discardBody(req);
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'Missing or invalid runner token' } });
      return;
    }
    try {
      const { handler, params } = router.match(req.method ?? 'GET', url.pathname);
      const result = await handler({ req, res, url, params });
      if (result) sendJson(res, result.status, result.body);
    } catch (err) {
      discardBody(req);
      sendError(res, err, log);
    }
  }) as RunnerServer;
  server.deps = deps;

  // Upgraded sockets (terminals, tunnels) are not closed by closeAllConnections(); close() ends them.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', async (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    // A peer resetting mid-handshake must not crash the daemon.
    socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
    const url = new URL(req.url ?? '/', 'http://runner');
    if (!isNormalPath(req.url)) {
      rejectUpgrade(socket, 400, { error: { code: 'bad_request', message: 'Request paths must be normalized' } });
      return;
    }
    log.info({ method: req.method, path: url.pathname, upgrade: req.headers.upgrade }, 'upgrade');
    if (!isAuthorized(req)) {
      rejectUpgrade(socket, 401, { error: { code: 'unauthorized', message: 'Missing or invalid runner token' } });
      return;
    }
    try {
      const { handler, params } = router.matchUpgrade(url.pathname);
      await handler({ req, socket, head, url, params });
    } catch (err) {
      const { status, body } = toErrorBody(err);
      if (status === 500) log.error({ err }, 'upgrade failed');
      rejectUpgrade(socket, status, body);
    }
  });

  const close = server.close.bind(server);
  server.close = (cb?: (err?: Error) => void) => {
    deps.pty.shutdown();
    deps.processes.shutdown();
    for (const s of upgraded) s.destroy();
    return close(cb);
  };
  return server;
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Routing uses the URL parser's normalized path, which resolves `..` and `%2e%2e`. A request
 * whose raw path differs from it (or hides separators as %2f/%5c) is refused, so a path built
 * by appending caller input (the port proxy's "rest") can never climb to another route.
 */
export function isNormalPath(raw: string | undefined): boolean {
  const pathPart = (raw ?? '/').split('?')[0]!;
  if (/%2e|%2f|%5c/i.test(pathPart) || pathPart.includes('\\')) return false;
  return new URL(pathPart, 'http://runner').pathname === pathPart;
}

/** Answers a refused upgrade with a plain HTTP error, unless the handler already switched. */
export function rejectUpgrade(socket: Duplex, status: number, body: unknown): void {
  if (socket.destroyed || !socket.writable) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
