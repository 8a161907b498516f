import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Test workers' data dirs (tests/setup/env.ts): `/tmp/warren-test-<worker pid>`. */
const WORKER_DIR = /^warren-test-(\d+)$/;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the data dirs of test workers that are gone: this run's, once its workers have ended,
 * and those a killed run left behind. A live worker's dir (another run going on at the same
 * time) is left alone.
 */
export function removeStaleWorkerDirs(tmp = '/tmp'): void {
  for (const name of fs.readdirSync(tmp)) {
    const m = WORKER_DIR.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    try {
      fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    } catch {
      // Someone else's (another user's run, one removing it at the same time): not this run's to stop over.
    }
  }
}

/** The vault key file the workers of the run on `databaseUrl` shared (tests/setup/env.ts). */
export const secretsKeyFileFor = (databaseUrl: string) =>
  `/tmp/warren-test-secrets-key-${createHash('sha256').update(databaseUrl).digest('hex').slice(0, 12)}`;
