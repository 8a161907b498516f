import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { logger } from '@/lib/logger';

/**
 * A certificate chain and its private key, PEM (WARREN_TLS_CERT / WARREN_TLS_KEY), with the
 * paths they came from so a renewed pair (certbot, cert-manager) is picked up without a restart.
 */
export type TlsFiles = { cert: Buffer; key: Buffer; certPath?: string; keyPath?: string };

/** How often the files are checked for a renewal (SIGHUP checks at once). */
const RELOAD_POLL_MS = 10_000;

/** Reads both files, or says which one could not be read (at boot, before anything listens). */
export function readTlsFiles(certPath: string, keyPath: string): TlsFiles {
  const read = (name: string, p: string) => {
    try {
      return fs.readFileSync(p);
    } catch (err) {
      throw new Error(`${name}: cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  return { cert: read('WARREN_TLS_CERT', certPath), key: read('WARREN_TLS_KEY', keyPath), certPath, keyPath };
}

/**
 * An HTTP server, or with `tls` an HTTPS one: the same request and upgrade events, so the
 * console and the E2B gateway serve either without knowing which.
 */
export function createWebServer(tls: TlsFiles | null, handler: http.RequestListener): http.Server {
  if (!tls) return http.createServer(handler);
  // https.Server is an http.Server over TLS sockets (Node merges the two interfaces).
  const server = https.createServer({ cert: tls.cert, key: tls.key }, handler);
  if (tls.certPath && tls.keyPath) reloadOnRenewal(server, tls.certPath, tls.keyPath);
  return server as unknown as http.Server;
}

/**
 * Certificates are renewed in place every few weeks: new handshakes get the new pair once both
 * files changed and form a valid pair (checked every RELOAD_POLL_MS and on SIGHUP), connections
 * already open keep theirs. A half-written or mismatched pair is logged and the old one kept, so
 * a renewal caught between its two writes never takes the console off TLS.
 */
function reloadOnRenewal(server: https.Server, certPath: string, keyPath: string): void {
  const log = logger.child({ component: 'tls' });
  let last = stamp(certPath, keyPath);
  const check = (force: boolean) => {
    const now = stamp(certPath, keyPath);
    if (!force && now === last) return;
    try {
      server.setSecureContext({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) });
      last = now;
      log.info({ certPath }, 'TLS certificate reloaded');
    } catch (err) {
      log.warn({ certPath, keyPath, err: (err as Error).message }, 'TLS certificate not reloaded; still serving the previous one');
    }
  };
  const timer = setInterval(() => check(false), RELOAD_POLL_MS);
  timer.unref();
  const onHup = () => check(true);
  process.on('SIGHUP', onHup);
  server.once('close', () => {
    clearInterval(timer);
    process.off('SIGHUP', onHup);
  });
}

/** Size and mtime of both files: a renewal changes at least one of them. */
function stamp(...paths: string[]): string {
  return paths
    .map((p) => {
      try {
        const s = fs.statSync(p);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}
