/**
 * Warren's console process: Next's request handler inside a plain Node HTTP server, so that
 * this process also owns WebSocket upgrades (terminals) and the preview proxy (by Host header).
 * It prepares the data dir and secrets, opens and migrates the database, creates the first
 * admin, starts the embedded runner when none is configured, then serves.
 */
import next from 'next';
import { tlsFromEnv } from '@/lib/env';
import { closeGracefully } from '@/lib/net/graceful-close';
import { bootConsole } from '@/lib/server/boot';
import { createConsoleServer } from '@/lib/server/console-server';
import { prepareKeepingNativeDate } from '@/lib/server/native-clock';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main() {
  const dev = process.env.NODE_ENV !== 'production';
  const boot = await bootConsole();
  const app = next({ dev, hostname: boot.host, port: boot.port });
  const handle = app.getRequestHandler();
  await prepareKeepingNativeDate(() => app.prepare());

  const server = createConsoleServer(handle, { trustProxy: boot.trustProxy, tls: tlsFromEnv() });

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

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
