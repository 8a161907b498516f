import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '@/lib/errors';
import type { ApiDeps } from './deps';
import type { Router } from './router';
import { portParam } from './schemas';

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the runner's own credential, never forwarded. */
const DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'authorization',
]);

/** The sandbox-side path: everything after `/http`, query included, from the raw URL. */
function innerPath(rawUrl: string): string {
  const m = /^\/v1\/sandboxes\/[^/]+\/ports\/[^/]+\/http(\/[^?]*)?(\?.*)?$/.exec(rawUrl);
  return `${m?.[1] || '/'}${m?.[2] ?? ''}`;
}

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  );
  for (const [k, v] of Object.entries(headers)) if (!DROP.has(k) && !named.has(k) && v !== undefined) out[k] = v;
  return out;
}

function pipeBoth(a: Duplex, b: Duplex): void {
  a.pipe(b).pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', close);
  b.on('error', close);
  a.on('close', close);
  b.on('close', close);
}

/** Raw TCP tunnels and an HTTP/WebSocket reverse proxy to ports inside sandboxes. */
export function portRoutes(router: Router, deps: ApiDeps): void {
  const { ports, log } = deps;

  router
    .upgrade('/v1/sandboxes/:id/ports/:port/tunnel', async ({ req, socket, head, params }) => {
      if (String(req.headers.upgrade).toLowerCase() !== 'tcp') {
        throw new AppError('bad_request', 'The tunnel needs `Upgrade: tcp`');
      }
      const tunnel = await ports.open(params.id!, portParam.parse(params.port));
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      if (head.length) tunnel.write(head);
      pipeBoth(socket, tunnel);
    })
    // WebSockets (or any upgrade) through the proxy: send the request head, then splice bytes.
    .upgrade('/v1/sandboxes/:id/ports/:port/http/*rest', async ({ req, socket, head, params }) => {
      const tunnel = await ports.open(params.id!, portParam.parse(params.port));
      const lines = [`${req.method} ${innerPath(req.url ?? '/')} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (name.toLowerCase() !== 'authorization') lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      tunnel.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) tunnel.write(head);
      pipeBoth(socket, tunnel);
    })
    .on('*', '/v1/sandboxes/:id/ports/:port/http/*rest', async ({ req, res, params }) => {
      const port = portParam.parse(params.port);
      const tunnel = await ports.open(params.id!, port);
      await new Promise<void>((resolve) => {
        const upstream = http.request(
          {
            method: req.method,
            path: innerPath(req.url ?? '/'),
            headers: { ...forwardHeaders(req.headers), connection: 'close' },
            createConnection: () => tunnel as unknown as Socket,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardHeaders(up.headers));
            up.pipe(res);
            up.on('end', resolve);
            up.on('error', () => res.destroy());
          },
        );
        upstream.on('error', (err) => {
          log.debug({ err, port }, 'proxied request failed');
          if (!res.headersSent) {
            const message = `Port ${port} in sandbox ${params.id} closed the connection: ${err.message}`;
            res.writeHead(502, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'not_found', message } }));
          } else res.destroy();
          tunnel.destroy();
          resolve();
        });
        // The browser going away aborts the upstream request too.
        res.on('close', () => {
          if (!res.writableFinished) upstream.destroy();
          resolve();
        });
        req.pipe(upstream);
      });
      return undefined;
    });
}
