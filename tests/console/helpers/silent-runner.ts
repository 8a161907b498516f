import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A hostile peer in the runner's place: it accepts connections on a unix socket and never
 * answers. With `read: false` it does not even read, so an upload stalls once the socket's
 * buffers are full. It counts connections so a test can see the console hang up.
 */
export type SilentRunner = {
  url: string;
  accepted(): number;
  open(): number;
  /** Starts reading, so a connection the console already closed is seen to be closed. */
  resume(): void;
  close(): Promise<void>;
};

export async function startSilentRunner(opts: { read?: boolean } = {}): Promise<SilentRunner> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-silent-'));
  const socketPath = path.join(dir, 'runner.sock');
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    if (opts.read === false) s.pause();
    else s.resume();
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return {
    url: `unix:${socketPath}`,
    accepted: () => accepted,
    open: () => sockets.size,
    resume: () => {
      for (const s of sockets) s.resume();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `cond` holds, or fails after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
