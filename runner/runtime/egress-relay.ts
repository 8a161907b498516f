import type http from 'node:http';
import type net from 'node:net';
import type { Logger } from 'pino';
import { encodeFrame, encodeTlvs, Frame } from '../agent/protocol';
import { MAX_CONNECTIONS } from './egress-proxy';

/**
 * Egress for a sandbox that cannot reach the runner's proxy socket (gVisor: this runsc refuses a
 * sandbox's connect() to a host unix socket), through connections the runner opens to the
 * sandbox's agent, the one direction that works. One connection asks the agent to hold
 * 127.0.0.1:<port> inside (EGRESS_LISTEN); a few more (EGRESS_STREAM) each wait for one
 * connection to that port and then carry its bytes. Each stream that starts is handed to the
 * proxy's HTTP server as if it had connected to the proxy's socket, so the same policy applies
 * to every one (allow-list, ports, no private, host or metadata addresses), decided here: the
 * agent is the sandbox's, whose root may replace it, and a replaced agent can only send more
 * streams into the same proxy (at most MAX_CONNECTIONS at once).
 */
const IDLE_STREAMS = 4;
const RETRY_MS = 1000;
/** Streams started per second at most: an agent that answers and hangs up at once cannot spin the runner. */
const STREAMS_PER_SEC = 200;

type Connect = () => net.Socket;

/** Resolves with the socket once the agent answers OK (any bytes after it put back); rejects on ERR or close. */
function request(connect: Connect, type: number, payload: Buffer, onCancel: (s: net.Socket) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = connect();
    onCancel(s);
    let got = Buffer.alloc(0);
    const fail = (msg: string) => {
      s.destroy();
      reject(new Error(msg));
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 5) return;
      const len = got.readUInt32BE(1);
      if (len > 4096) return fail('agent sent an oversized answer to an egress request');
      if (got.length < 5 + len) return;
      s.off('data', onData);
      s.off('close', onClose);
      s.pause();
      if (got[0] === Frame.ERR) return fail(`agent: ${got.subarray(9, 5 + len).toString('utf8')}`);
      if (got[0] !== Frame.OK) return fail(`agent sent frame ${got[0]} to an egress request`);
      const rest = got.subarray(5 + len);
      if (rest.length) s.unshift(rest);
      resolve(s);
    };
    const onClose = () => reject(new Error('agent closed an egress request'));
    s.on('data', onData);
    s.on('close', onClose);
    s.on('error', () => {});
    s.write(encodeFrame(type, payload));
  });
}

export function startEgressRelay(connect: Connect, port: number, server: http.Server, log: Logger): () => void {
  let stopped = false;
  let listening = false;
  let failures = 0;
  let active = 0;
  // Streams asked for and not yet in use (they hold the sandbox's listening socket open too).
  const idle = new Set<net.Socket>();
  const open = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms = RETRY_MS) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const track = (s: net.Socket) => {
    open.add(s);
    idle.add(s);
    s.once('close', () => {
      open.delete(s);
      idle.delete(s);
    });
  };

  // Node enforces headersTimeout only on servers that listen, and this one never does (streams
  // are emitted into it): a stream whose first request has not begun in time is closed here.
  const begun = new WeakSet<net.Socket>();
  server.on('request', (req: http.IncomingMessage) => begun.add(req.socket));
  server.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => begun.add(socket));
  const bucket = { tokens: STREAMS_PER_SEC, at: Date.now() };
  const takeToken = () => {
    const now = Date.now();
    bucket.tokens = Math.min(STREAMS_PER_SEC, bucket.tokens + ((now - bucket.at) / 1000) * STREAMS_PER_SEC);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  };

  const refill = () => {
    while (!stopped && listening && idle.size < IDLE_STREAMS && active + idle.size < MAX_CONNECTIONS) {
      if (!takeToken()) return later(refill, 100);
      request(connect, Frame.EGRESS_STREAM, Buffer.alloc(0), track).then(
        (s) => {
          idle.delete(s);
          if (stopped) return s.destroy();
          // From here the stream is a client of the proxy, like a connection to its socket.
          active++;
          s.once('close', () => {
            active--;
            refill();
          });
          const deadline = setTimeout(() => {
            if (!begun.has(s)) s.destroy();
          }, server.headersTimeout);
          s.once('close', () => clearTimeout(deadline));
          server.emit('connection', s);
          s.resume();
          refill();
        },
        (err: Error) => {
          if (!stopped && listening) log.debug({ reason: err.message }, 'egress relay stream ended before use');
          later(refill);
        },
      );
    }
  };

  const listen = () => {
    request(connect, Frame.EGRESS_LISTEN, encodeTlvs([[1, String(port)]]), track).then(
      (s) => {
        idle.delete(s);
        if (stopped) return s.destroy();
        listening = true;
        failures = 0;
        // The agent gave up the port (killed inside, or the sandbox stopped): drop the waiting
        // streams, which hold that socket open, and listen again.
        s.once('close', () => {
          listening = false;
          for (const w of idle) w.destroy();
          later(listen);
        });
        refill();
      },
      (err: Error) => {
        if (stopped) return;
        failures++;
        if (failures === 1 || failures % 10 === 0) log.info({ reason: err.message, failures }, 'egress relay could not listen in the sandbox; retrying');
        later(listen, Math.min(RETRY_MS * 2 ** (failures - 1), 30_000));
      },
    );
  };
  listen();

  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    for (const s of open) s.destroy();
    open.clear();
  };
}
