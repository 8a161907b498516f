/**
 * Stands in for the console process in CLI tests: opens the database the way boot does
 * (sharing embedded PGlite on its unix socket), runs the first-admin hook, says "ready" and
 * holds the database until it is told to stop.
 */
import { closeDb, getDbHandle } from '@/db';
import { ensureFirstAdmin } from '@/lib/admin/bootstrap';
import { logger } from '@/lib/logger';

process.env.WARREN_DB_SHARE = '1';
const handle = await getDbHandle();
await ensureFirstAdmin({ log: logger.child({ test: true }) });
console.log(`ready ${handle.kind}`);
const stop = async () => {
  await closeDb();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
setInterval(() => {}, 60_000);
