import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Exit code of a runner that found its data dir taken (EX_TEMPFAIL: try again later). */
export const LOCKED_EXIT_CODE = 75;

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | null,
  ) {
    super(
      `Another Warren runner${holderPid ? ` (pid ${holderPid})` : ''} is already serving ${dataDir}. ` +
        'Stop it first, or give this one its own WARREN_DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * One runner per data directory, as PostgreSQL allows one postmaster per data dir: an exclusive
 * flock(2) on `<dataDir>/runner.lock`, held for the runner's whole life. Node cannot flock, so
 * util-linux's flock(1) holds it in a small child whose only other job is to read our pipe: when
 * this process dies in any way (kill -9 included), the pipe closes, the child exits and the
 * kernel releases the lock. The holder's pid is written beside it for the error message.
 */
export async function lockDataDir(dataDir: string, waitSec = 2): Promise<{ release: () => Promise<void> }> {
  const lockFile = path.join(dataDir, 'runner.lock');
  const pidFile = path.join(dataDir, 'runner.pid');
  fs.closeSync(fs.openSync(lockFile, 'a', 0o600));
  // A few seconds of patience: a runner that just died (kill -9) releases the lock only once its
  // flock child has read the end of its pipe.
  const child = spawn('flock', ['--timeout', String(waitSec), '--conflict-exit-code', String(LOCKED_EXIT_CODE), lockFile, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const acquired = await new Promise<boolean>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve(true));
    child.once('exit', (code) => (code === LOCKED_EXIT_CODE ? resolve(false) : reject(new Error(`flock exited with ${code}`))));
  });
  if (!acquired) {
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
    } catch {}
    throw new DataDirLockedError(dataDir, Number.isInteger(holder) ? holder : null);
  }
  child.removeAllListeners('exit');
  child.stdout.destroy();
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    /** Ends the pipe and waits (briefly) until the lock is really free. */
    release: async () => {
      child.stdin.end();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
