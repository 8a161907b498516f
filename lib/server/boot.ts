import fs from 'node:fs';
import { closeDb, getDbHandle } from '@/db';
import { env } from '@/lib/env';
import { logger } from '@/lib/logger';
import { keyring } from '@/lib/secrets/keyring';
import { persistentSecret } from './secrets-file';

/**
 * Everything the console process does before it serves: data dir, generated secrets (kept in
 * the data dir so sessions survive restarts), database + migrations, and the hooks later
 * features add (first admin, embedded runner).
 */
export async function bootConsole() {
  const e = env();
  fs.mkdirSync(e.dataDir, { recursive: true });
  process.env.AUTH_SECRET ??= persistentSecret(e.dataDir, 'auth-secret');
  process.env.AUTH_TRUST_HOST ??= 'true';
  // Only a configured public URL becomes AUTH_URL (OAuth callbacks need the real address);
  // otherwise Auth.js derives it from each request's Host (AUTH_TRUST_HOST).
  if (e.WARREN_PUBLIC_URL) process.env.AUTH_URL ??= e.WARREN_PUBLIC_URL;
  process.env.WARREN_DB_SHARE = '1'; // this process owns the embedded database and shares it with the CLI
  // The vault's key: a malformed WARREN_SECRETS_KEY stops the console here, not at the first
  // secret; without one, the key file is made now (like the auth secret).
  const ring = keyring(true);

  const log = logger.child({ component: 'console' });
  const db = await getDbHandle();
  log.info({ database: db.kind }, 'database ready');
  log.info({ source: ring.source === 'env' ? 'WARREN_SECRETS_KEY' : 'key file', version: ring.current }, 'secrets vault key ready');

  const shutdownHooks: Array<() => Promise<void>> = [];
  for (const hook of await loadBootHooks()) {
    const stop = await hook({ log });
    if (stop) shutdownHooks.push(stop);
  }

  return {
    trustProxy: process.env.WARREN_TRUST_PROXY === '1',
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.publicUrl,
    log,
    shutdown: async () => {
      for (const stop of shutdownHooks.reverse()) await stop().catch((err) => log.error({ err }, 'shutdown hook'));
      await closeDb();
    },
  };
}

export type BootHook = (ctx: { log: typeof logger }) => Promise<(() => Promise<void>) | undefined>;

/** Boot hooks are listed in one place so the start-up order is explicit. */
async function loadBootHooks(): Promise<BootHook[]> {
  const { bootHooks } = await import('./boot-hooks');
  return bootHooks;
}
