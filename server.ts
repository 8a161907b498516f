/**
 * Warren's console process: Next's request handler inside a plain Node HTTP server, so that
 * this process also owns WebSocket upgrades (terminals) and the preview proxy (by Host header).
 * It prepares the data dir and secrets, opens and migrates the database, creates the first
 * admin, starts the embedded runner when none is configured, then serves.
 */
import http from 'node:http';
import next from 'next';
import { closeGracefully } from '@/lib/net/graceful-close';
import { bootConsole } from '@/lib/server/boot';

const SHUTDOWN_DEADLINE_MS = 10_000;
import { handleUpgrade, routeHttp } from '@/lib/server/routes';

async function main() {
  const dev = process.env.NODE_ENV !== 'production';
  const boot = await bootConsole();
  const app = next({ dev, hostname: boot.host, port: boot.port });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = http.createServer((req, res) => {
    setClientAddress(req, boot.trustProxy);
    if (routeHttp(req, res)) return;
    handle(req, res);
  });
  // Next adds its own upgrade listener for /_next/hmr in dev; ours only claims our paths.
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/_next/')) return;
    setClientAddress(req, boot.trustProxy);
    if (!handleUpgrade(req, socket, head)) socket.destroy();
  });

  server.listen(boot.port, boot.host, () => {
    boot.log.info({ url: boot.publicUrl }, `Warren console ready on ${boot.publicUrl}`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    boot.log.info({ signal }, 'shutting down');
    // A hard stop if anything below hangs: the orchestrator's SIGKILL would come anyway.
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS + 20_000).unref();
    // Stop accepting; requests in flight finish (streams are cut at the deadline); then the
    // reconciler, the runner (it finishes its own operations) and the database close in order.
    await closeGracefully(server, SHUTDOWN_DEADLINE_MS);
    await boot.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * The client address that rate limits key on. Unless the operator says a trusted proxy sits in
 * front (WARREN_TRUST_PROXY=1), whatever the client sent in X-Forwarded-For / X-Real-IP is
 * replaced by the socket's own address, so nobody can dodge a per-address limit by lying.
 */
function setClientAddress(req: http.IncomingMessage, trustProxy: boolean) {
  if (trustProxy) return;
  const addr = req.socket.remoteAddress ?? '';
  req.headers['x-forwarded-for'] = addr;
  req.headers['x-real-ip'] = addr;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
