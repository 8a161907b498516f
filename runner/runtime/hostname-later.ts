import { spawn } from 'node:child_process';

/**
 * A host-name setter started ahead of time inside one sandbox's UTS namespace
 * (`warren-mount hostname-later`): `set` then costs a pipe round trip instead of a process start
 * (an nsenter plus a hostname exec, ~10–20 ms on a host slow to start processes).
 */
export type PendingHostname = {
  /** The namespace has been entered: a pid check after this covers the process it was opened for. */
  readonly ready: Promise<void>;
  set(name: string): Promise<void>;
  /** Lets the helper exit without touching the name (the member went away unclaimed). */
  cancel(): void;
};

const SET_TIMEOUT_MS = 2000;

export function hostnameLater(mountHelper: string, pid: number): PendingHostname {
  const child = spawn(mountHelper, ['hostname-later', `/proc/${pid}/ns/uts`], { stdio: ['pipe', 'pipe', 'pipe'] });
  // It waits as long as its member does: it must never keep the runner's event loop alive.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
  child.stdin.on('error', () => {});
  let out = '';
  let err = '';
  /** Whoever waits for a line of the helper's ("ready", then "ok"). */
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', (c: Buffer) => {
    if (out.length < 64) out += c.toString();
    wake();
  });
  child.stderr.on('data', (c: Buffer) => {
    if (err.length < 4096) err += c.toString();
  });
  let exited = false;
  child.on('error', (e) => {
    err ||= e.message;
    exited = true;
    wake();
  });
  child.on('close', () => {
    exited = true;
    wake();
  });
  /** Resolves once the helper has printed `line` (not on its exit: that is later still). */
  const said = (line: string, timeoutMs?: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = timeoutMs ? setTimeout(() => reject(new Error('warren-mount hostname-later did not answer')), timeoutMs).unref() : undefined;
      const check = () => {
        if (out.includes(line)) resolve();
        else if (exited) reject(new Error(`warren-mount hostname-later: ${err.trim() || 'exited early'}`));
        else return void waiters.push(check);
        clearTimeout(timer);
      };
      check();
    });
  const ready = said('ready\n');
  ready.catch(() => {}); // a caller that only ever cancels must not see an unhandled rejection
  return {
    ready,
    set(name) {
      child.stdin.end(`${name}\n`);
      // A wedged helper must not hold the sandbox's first command for long: the caller falls back.
      return said('ok\n', SET_TIMEOUT_MS);
    },
    cancel() {
      child.stdin.end();
    },
  };
}
