/**
 * A second console process for the API-key cache tests: it authenticates KEY every 20 ms through
 * the real lookup (with its own in-memory memo), prints `accepted` once, then `refused <epoch ms>`
 * when the key stops working, and exits. Nothing tells it about the revocation but the database.
 */
import { closeDb } from '@/db';
import { authenticateApiKey } from '@/lib/auth/api-key-auth';

const key = process.env.KEY!;
let accepted = false;
for (;;) {
  try {
    await authenticateApiKey(key);
    if (!accepted) console.log('accepted');
    accepted = true;
  } catch {
    console.log(`refused ${Date.now()}`);
    break;
  }
  await new Promise((r) => setTimeout(r, 20));
}
await closeDb();
process.exit(0);
