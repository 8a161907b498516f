import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { e2bRestHttp } from '@/lib/e2b/rest';
import { createE2bGateway } from '@/lib/e2b/gateway/server';
import { env, tlsFromEnv } from '@/lib/env';
import type { TlsFiles } from '@/lib/net/tls';
import { closeGracefully } from '@/lib/net/graceful-close';
import type { BootHook } from './boot';
import { addHttpRoute } from './routes';

/**
 * E2B compatibility (README: E2B): the REST API under /api/e2b on the console's own listener,
 * and the envd gateway on its own port (WARREN_E2B_PORT, 0 = off), since the clients build
 * signed file URLs and envd calls from a bare origin.
 */
export async function startE2bGateway(
  port: number,
  host: string,
  tls: TlsFiles | null = null,
): Promise<{ server: http.Server; port: number }> {
  const server = createE2bGateway(tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export const e2bCompat: BootHook = async ({ log }) => {
  addHttpRoute(e2bRestHttp);
  const e = env();
  if (!e.WARREN_E2B_PORT) return undefined;
  try {
    const tls = tlsFromEnv();
    const { server, port } = await startE2bGateway(e.WARREN_E2B_PORT, e.HOST, tls);
    log.info({ port, domain: e.e2bDomain, tls: !!tls }, `E2B envd gateway on port ${port}${tls ? ' (TLS)' : ''}`);
    return () => closeGracefully(server, 5_000);
  } catch (err) {
    // The console is more than this gateway: keep serving, and say what to change.
    log.error({ err: (err as Error).message }, `The E2B envd gateway could not listen on port ${e.WARREN_E2B_PORT}; set WARREN_E2B_PORT to a free port (or 0 to turn it off)`);
    return undefined;
  }
};
