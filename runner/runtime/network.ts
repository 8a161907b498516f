import { spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Egress for a sandbox: slirp4netns attached to its network namespace, in user mode, with
 * --disable-host-loopback so the sandbox can reach the internet but never the host's
 * loopback services (Postgres, the console, the runner). It runs in its own session so a
 * runner restart leaves it (and the sandbox's connections) alone; its pid is recorded.
 */
export async function startEgress(opts: { containerPid: number; apiSocket: string; logFile: string }): Promise<number> {
  fs.rmSync(opts.apiSocket, { force: true });
  const log = fs.openSync(opts.logFile, 'a');
  try {
    const child = spawn(
      'slirp4netns',
      [
        '--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp',
        '--api-socket', opts.apiSocket, '--ready-fd', '3', String(opts.containerPid), 'tap0',
      ],
      { detached: true, stdio: ['ignore', log, log, 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('slirp4netns did not become ready within 5s')), 5000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`slirp4netns exited with ${code}; see ${opts.logFile}`));
      });
      (child.stdio[3] as NodeJS.ReadableStream).once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child.removeAllListeners('exit');
    (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
    child.unref();
    return child.pid!;
  } finally {
    fs.closeSync(log);
  }
}

export function stopEgress(pid: number | null): void {
  if (!pid || !isSlirp(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

export function isSlirp(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'slirp4netns';
  } catch {
    return false;
  }
}
