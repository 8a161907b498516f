/**
 * After `npx playwright test` (scripts/test): removes this run's data dir. Playwright stops its
 * console only after the global teardown, and that console's runner then exits with its mounts
 * in place (the btrfs pool's loop device, two tmpfs), as a runner that keeps sandboxes across
 * restarts does; so once the runner is gone, its mounts and dir go too. A run started by hand
 * is cleaned by the next run's global setup instead (e2e/stale-runs.ts).
 * Usage: npx tsx e2e/remove-run.ts DATA_DIR
 */
import fs from 'node:fs';
import path from 'node:path';
import { cleanupRunnerData } from '../bench/api-cleanup';
import { socketAnswers } from '../lib/net/wait-for-socket';

const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) process.exit(0);
const socket = path.join(dir, 'runner', 'runner.sock');
for (let i = 0; i < 60 && (await socketAnswers(socket)); i++) await new Promise((r) => setTimeout(r, 500));
if (await socketAnswers(socket)) {
  console.warn(`[e2e] the run's runner still answers on ${socket}: ${dir} left as it is`);
  process.exit(0);
}
await cleanupRunnerData(dir);
