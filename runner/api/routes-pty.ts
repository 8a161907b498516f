import { WebSocket, WebSocketServer } from 'ws';
import type { ProcHub } from '@/runner/services/proc-hub';
import type { ApiDeps } from './deps';
import { discardBody, json, parseQuery, readJson } from './http';
import type { Router } from './router';
import { ptyControlSchema, ptyCreateSchema, ptyResizeSchema, signalQuery } from './schemas';

/** A viewer this far behind (bytes queued in its socket) is dropped; it can reconnect and replay. */
const MAX_VIEWER_LAG = 8 * 1024 * 1024;
/** Keystroke frames are small; a huge paste is still bounded. */
const MAX_FRAME = 1024 * 1024;

export function ptyRoutes(router: Router, deps: ApiDeps): void {
  const { pty, manager, log } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });

  router
    .on('POST', '/v1/sandboxes/:id/pty', async ({ req, params }) => {
      const body = await readJson(req, ptyCreateSchema);
      return json(201, await pty.create(params.id!, body));
    })
    .on('GET', '/v1/sandboxes/:id/pty', async ({ params }) => json(200, { sessions: await pty.list(params.id!) }))
    .on('POST', '/v1/sandboxes/:id/pty/:sessionId/resize', async ({ req, params }) => {
      const { cols, rows } = await readJson(req, ptyResizeSchema);
      await pty.resize(params.id!, params.sessionId!, cols, rows);
      return json(200, { ok: true });
    })
    .on('DELETE', '/v1/sandboxes/:id/pty/:sessionId', async ({ req, params, url }) => {
      discardBody(req);
      const { signal } = parseQuery(url, signalQuery);
      await pty.kill(params.id!, params.sessionId!, signal);
      return json(200, { ok: true });
    })
    .upgrade('/v1/sandboxes/:id/pty/:sessionId', async ({ req, socket, head, params }) => {
      const id = params.id!;
      // Resolve (and re-attach) before switching protocols, so a bad id is a plain 404/409.
      const s = await pty.session(id, params.sessionId!);
      wss.handleUpgrade(req, socket, head, (ws) => {
        viewer(ws, s.hub, {
          onInput: () => manager.touch(id),
          onResize: (cols, rows) => {
            s.cols = cols;
            s.rows = rows;
          },
          log,
        });
      });
    });
}

type ViewerHooks = {
  onInput: () => void;
  onResize: (cols: number, rows: number) => void;
  log: ApiDeps['log'];
};

/** One WebSocket viewer: replay + live bytes out, keystrokes and resize in, exit then close. */
function viewer(ws: WebSocket, hub: ProcHub, hooks: ViewerHooks): void {
  const unsubscribe = hub.subscribe({
    data(_stream, data) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > MAX_VIEWER_LAG) {
        ws.terminate();
        return;
      }
      ws.send(data, { binary: true });
    },
    end(exit) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (exit) ws.send(JSON.stringify({ type: 'exit', ...exit }));
      ws.close(1000, exit ? 'exited' : 'detached');
    },
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      hooks.onInput();
      hub.write(buf);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(buf.toString('utf8'));
    } catch {
      msg = undefined;
    }
    const parsed = ptyControlSchema.safeParse(msg);
    if (!parsed.success) {
      // Tell the viewer instead of silently dropping: a client bug should be visible.
      ws.send(JSON.stringify({ type: 'error', message: 'text frames must be {"type":"resize","cols","rows"} or {"type":"kill"}' }));
      return;
    }
    if (parsed.data.type === 'kill') {
      hub.kill('SIGKILL'); // the exit frame and close follow, to every viewer
      return;
    }
    hub.resize(parsed.data.cols, parsed.data.rows);
    hooks.onResize(parsed.data.cols, parsed.data.rows);
  });
  ws.on('close', unsubscribe);
  ws.on('error', (err) => hooks.log.debug({ err }, 'pty viewer error'));
}
