/** Helpers for the agent and mount-helper tests (tests/runner/agent*.test.ts, mount-helper*.test.ts). */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const nativeDir = path.resolve(import.meta.dirname, '../native');
/** WARREN_TEST_AGENT_BIN runs the tests against another build (e.g. one with sanitizers). */
export const agentBin = process.env.WARREN_TEST_AGENT_BIN ?? path.join(nativeDir, 'build/warren-agent');
export const mountBin = path.join(nativeDir, 'build/warren-mount');

/** Builds the C helpers when they are missing (setup.sh normally has). */
export function ensureNative(): void {
  if (!fs.existsSync(path.join(nativeDir, 'build/warren-agent')) || !fs.existsSync(mountBin))
    execFileSync('make', ['-s', '-C', nativeDir], { stdio: 'inherit' });
}

/** Whether a Unix socket accepts a connection now (closed at once). */
const accepts = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const c = net.createConnection(socket, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });

export type ServedAgent = { dir: string; socket: string; proc: ChildProcess; stop: () => Promise<void> };

/** `warren-agent serve` on the host (as root), in a fresh 0700 temp dir. */
export async function serveAgent(): Promise<ServedAgent> {
  ensureNative();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-agent-test-'));
  fs.chmodSync(dir, 0o700);
  const socket = path.join(dir, 'agent.sock');
  const proc = spawn(agentBin, ['serve', '--socket', socket], { stdio: ['ignore', 'inherit', 'inherit'] });
  // The socket file appears at bind(), before listen(): a connection in between is refused (seen on
  // a loaded host), so wait until one is accepted.
  let ready = false;
  for (let i = 0; i < 500 && !ready && proc.exitCode === null; i++) {
    ready = fs.existsSync(socket) && (await accepts(socket));
    if (!ready) await sleep(10);
  }
  if (!ready) {
    proc.kill('SIGKILL');
    throw new Error('warren-agent serve did not listen on its socket');
  }
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { dir, socket, proc, stop };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True once `pid` has exited (a zombie, or already reaped). One read of /proc, so a process reaped
 *  between "does it exist" and "read its stat" cannot throw (that race failed a CI run). */
export function hasEnded(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Polls until check() is true (or throws after timeoutMs). */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
