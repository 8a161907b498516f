import fs from 'node:fs';
import path from 'node:path';
import { cleanupRunnerData } from '../bench/api-cleanup';
import { createRunnerClient } from '../lib/runner-client';

/**
 * Sandboxes outlive the console by design, so the e2e run removes what it created: through the
 * console's own runner while it still answers, else with a runner started on the same data dir.
 */
export default async function globalTeardown() {
  const dir = process.env.WARREN_E2E_DIR;
  if (!dir || !fs.existsSync(dir)) return;
  try {
    const token = fs.readFileSync(path.join(dir, 'runner-token'), 'utf8').trim();
    const client = createRunnerClient({ url: `unix:${path.join(dir, 'runner', 'runner.sock')}`, token });
    for (const sb of await client.list()) await client.delete(sb.id).catch(() => {});
    for (const s of await client.snapshots.list()) await client.snapshots.delete(s.id).catch(() => {});
  } catch {
    await cleanupRunnerData(dir);
  }
}
