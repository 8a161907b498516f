import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { AppError } from '@/lib/errors';
import { AgentFsError } from '@/runner/agent/client';
import type { SandboxManager } from '@/runner/sandbox/types';

/** How long socat may take to connect before the port counts as not answering. */
const CONNECT_TIMEOUT_MS = 5000;
/**
 * Tunnels through a gVisor sandbox's agent open at once, per sandbox: each is a runner socket
 * and a forked agent inside. A preview page opens a handful; more is a loop or an attack.
 */
export const MAX_AGENT_TUNNELS = 128;
/** socat's log line (with -d -d) once both ends are connected. */
const READY = 'starting data transfer loop';

/** "Nothing listens there": a gateway error, not the caller's fault nor the runner's. */
export class PortUnreachableError extends AppError {
  override readonly status: number = 502;
  constructor(message: string) {
    super('not_found', message);
  }
}

/**
 * A byte stream to 127.0.0.1:port inside a sandbox: `socat` run in the sandbox's network
 * namespace through `nsenter --net`, so no host port is ever opened. The Duplex carries a few
 * no-op socket methods because node:http's client calls them on whatever createConnection gives.
 */
class TunnelStream extends Duplex {
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  setTimeout() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
}

export class PortService {
  private readonly lastTouch = new Map<string, number>();
  /** Open agent tunnels per sandbox (gVisor). */
  private readonly agentTunnels = new Map<string, number>();

  constructor(
    private readonly manager: SandboxManager,
    private readonly log: Logger,
  ) {}

  /**
   * Records port traffic for the idle timeout, at most once a second per sandbox — only for
   * sandboxes that asked for it (metadata `keepAliveOnTraffic: "true"`): passive preview
   * traffic alone does not keep a sandbox alive past its idle timeout.
   */
  touch(id: string): void {
    if (this.manager.get(id).metadata.keepAliveOnTraffic !== 'true') return;
    const now = Date.now();
    if (now - (this.lastTouch.get(id) ?? 0) < 1000) return;
    this.lastTouch.set(id, now);
    this.manager.touch(id);
  }

  /** Opens a tunnel; resolves once the port accepted the connection, else PortUnreachableError. */
  open(id: string, port: number): Promise<Duplex> {
    const info = this.manager.get(id);
    if (info.state !== 'running') {
      throw new AppError('conflict', `Sandbox ${id} is ${info.state}; start or resume it to reach port ${port}`);
    }
    this.touch(id);
    if (info.isolation === 'gvisor') return this.openThroughAgent(id, port);
    const netns = this.manager.netnsPath(id);
    const argv = [`--net=${netns}`, 'socat', '-d', '-d', 'STDIO', `TCP:127.0.0.1:${port}`];
    const child = spawn('nsenter', argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const onTraffic = () => this.touch(id);

    const stream = new TunnelStream({
      read() {
        child.stdout.resume();
      },
      write(chunk: Buffer, _enc, cb) {
        onTraffic();
        if (child.stdin.destroyed) return cb();
        child.stdin.write(chunk, () => cb());
      },
      final(cb) {
        child.stdin.end();
        cb();
      },
      destroy(err, cb) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        cb(err);
      },
    });
    child.stdin.on('error', () => {}); // EPIPE when socat is gone shows up as its exit
    child.stdout.on('data', (c: Buffer) => {
      onTraffic();
      if (!stream.push(c)) child.stdout.pause();
    });
    child.stdout.on('end', () => stream.push(null));

    return new Promise((resolve, reject) => {
      let log = '';
      let ready = false;
      const fail = (why: string) => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        stream.destroy();
        reject(new PortUnreachableError(`Port ${port} in sandbox ${id} does not answer (${why})`));
      };
      const timer = setTimeout(() => fail('timed out'), CONNECT_TIMEOUT_MS);
      child.stderr.on('data', (c: Buffer) => {
        if (ready) return; // socat keeps logging at -d -d; only the start matters
        log = (log + c.toString('utf8')).slice(-4096);
        if (log.includes(READY)) {
          ready = true;
          clearTimeout(timer);
          resolve(stream);
        }
      });
      child.on('error', (err) => {
        this.log.error({ err }, 'could not run nsenter/socat (Debian packages: util-linux socat)');
        fail(err.message);
      });
      child.on('close', (code) => {
        const reason = /E (connect\(.*|.*)/.exec(log)?.[1]?.trim() ?? `socat exited with ${code}`;
        fail(reason.replace(/^connect\([^)]*\):\s*/, ''));
        if (!stream.destroyed) stream.push(null);
      });
    });
  }

  /**
   * gVisor: its ports live in gVisor's own network stack, which `nsenter` cannot enter, so the
   * sandbox's agent dials 127.0.0.1:port inside and the connection carries the bytes. The agent
   * is the sandbox's to replace: the runner only ever connects to its socket and passes on what
   * comes back as that port's bytes, so a fake agent can serve nothing but its own sandbox.
   */
  private async openThroughAgent(id: string, port: number): Promise<Duplex> {
    const open = this.agentTunnels.get(id) ?? 0;
    if (open >= MAX_AGENT_TUNNELS) {
      throw new AppError('quota_exceeded', `A gVisor sandbox has at most ${MAX_AGENT_TUNNELS} port connections open at once; close some first`);
    }
    this.agentTunnels.set(id, open + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.agentTunnels.get(id) ?? 1) - 1;
      if (left > 0) this.agentTunnels.set(id, left);
      else this.agentTunnels.delete(id);
    };
    let sock: Duplex;
    try {
      sock = await this.manager.agent(id).dial(port, CONNECT_TIMEOUT_MS);
    } catch (err) {
      release();
      if (err instanceof AppError) throw err;
      const why = err instanceof AgentFsError ? err.message.replace(/:\s*connect 127\.0\.0\.1:\d+$/, '') : (err as Error).message;
      throw new PortUnreachableError(`Port ${port} in sandbox ${id} does not answer (${why})`);
    }
    const onTraffic = () => this.touch(id);
    const stream = new TunnelStream({
      read() {
        sock.resume();
      },
      write(chunk: Buffer, _enc, cb) {
        onTraffic();
        if (sock.destroyed || sock.writableEnded) return cb();
        sock.write(chunk, () => cb());
      },
      final(cb) {
        sock.end();
        cb();
      },
      destroy(err, cb) {
        sock.destroy();
        release();
        cb(err);
      },
    });
    sock.on('data', (c: Buffer) => {
      onTraffic();
      if (!stream.push(c)) sock.pause();
    });
    sock.on('end', () => stream.push(null));
    // A reset or a vanished agent ends the tunnel like the port closing it.
    sock.on('error', () => stream.destroy());
    sock.on('close', () => {
      release();
      if (!stream.readableEnded) stream.push(null);
    });
    return stream;
  }
}
