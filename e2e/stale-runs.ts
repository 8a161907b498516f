import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupRunnerData } from '../bench/api-cleanup';
import { socketAnswers } from '../lib/net/wait-for-socket';

const PREFIX = 'warren-e2e-';
/** A run this old whose runner is silent has ended (a whole run takes about 15 minutes). */
const ENDED_AFTER_MS = 30 * 60_000;
const MADE_AFTER = Date.UTC(2026, 0, 1);

/**
 * Playwright's global setup, first: what earlier runs left behind. The global teardown deletes a
 * run's sandboxes through its console, which then stops its runner with the runner's mounts (the
 * btrfs pool's loop device, two tmpfs) in place, as a runner that keeps sandboxes across
 * restarts does. So each run removes the data dirs (default names, see playwright.config.ts) of
 * earlier runs that are over half an hour old and whose runner no longer answers; a run going on
 * beside this one keeps its own. Never fails the run: a dir it cannot clean is named and left.
 */
export default async function removeStaleRuns() {
  const current = process.env.WARREN_E2E_DIR;
  const names = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(PREFIX));
  for (const name of names) {
    const dir = path.join(os.tmpdir(), name);
    // Only names playwright.config.ts makes (the start time in base 36): a dir someone named
    // `warren-e2e-mine` is not ours to remove.
    const stamp = name.slice(PREFIX.length);
    const startedAt = /^[0-9a-z]{8,9}$/.test(stamp) ? Number.parseInt(stamp, 36) : Number.NaN;
    if (dir === current || !(startedAt > MADE_AFTER) || Date.now() - startedAt < ENDED_AFTER_MS) continue;
    try {
      if (await socketAnswers(path.join(dir, 'runner', 'runner.sock'))) continue;
      await cleanupRunnerData(dir);
    } catch (err) {
      console.warn(`[e2e] left ${dir} as it is: ${(err as Error).message}`);
    }
  }
}
