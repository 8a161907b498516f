import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, encodeTlvs, Frame, FrameDecoder } from '@/runner/agent/protocol';
import { agentBin, type ServedAgent, serveAgent, sleep, until } from '@/runner/agent/test-support';
import { createEgressProxy, MAX_CONNECTIONS } from '@/runner/runtime/egress-proxy';
import { startEgressRelay } from '@/runner/runtime/egress-relay';
import { setEgressTestMode } from '@/runner/runtime/egress-test-mode';

/**
 * The egress relay of gVisor sandboxes (runner/runtime/egress-relay.ts + the agent's
 * EGRESS_LISTEN/EGRESS_STREAM): the real agent (on the host here) offers a loopback port, and each
 * connection to it reaches the runner's egress proxy over a stream the runner opened. The policy
 * is the runner's: a hostile agent that opens streams at will gets the same answers, and no more
 * than MAX_CONNECTIONS of them at once. (Real gVisor sandboxes: tests/runner/isolation.test.ts.)
 */
const log = pino({ level: 'silent' });
const PUBLIC = 'public.warren.test';

const freePort = async () => {
  const s = net.createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((res) => s.close(res));
  return port;
};

/** One request through the relayed proxy port; the whole answer as text. */
const ask = (port: number, raw: string) =>
  new Promise<string>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(raw));
    let out = '';
    c.on('data', (d) => {
      out += d;
    });
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.setTimeout(10_000, () => c.destroy(new Error(`no answer; got ${JSON.stringify(out)}`)));
  });

describe('egress relay through the real agent', () => {
  let agent: ServedAgent;
  let upstream: http.Server;
  let upPort: number;
  let port: number;
  let stop: () => void;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => res.end(`public hello ${req.url}\n`));
    await new Promise<void>((res) => upstream.listen(0, '127.0.0.1', res));
    upPort = (upstream.address() as net.AddressInfo).port;
    setEgressTestMode({ hosts: new Map([[PUBLIC, '127.0.0.1']]), ca: null });
    agent = await serveAgent();
    port = await freePort();
    const server = createEgressProxy([PUBLIC], log, [upPort, 80]);
    stop = startEgressRelay(() => net.createConnection(agent.socket), port, server, log);
  });
  afterAll(async () => {
    stop?.();
    setEgressTestMode(null);
    await agent?.stop();
    upstream?.close();
  });

  it('carries allowed requests, several at once, and refuses what the policy refuses', async () => {
    const get = (url: string, host: string) => ask(port, `GET ${url} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    let first = ''; // the relay listens in the agent asynchronously: the first try may be early
    for (let i = 0; i < 50 && !first.includes('public hello'); i++) {
      first = await get(`http://${PUBLIC}:${upPort}/one`, `${PUBLIC}:${upPort}`).catch(() => '');
      if (!first) await sleep(100);
    }
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toContain('public hello /one');
    // More at once than the relay keeps waiting: each gets its own stream.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => get(`http://${PUBLIC}:${upPort}/n${i}`, `${PUBLIC}:${upPort}`)));
    for (const [i, out] of many.entries()) expect(out).toContain(`public hello /n${i}`);
    expect(await get('http://169.254.169.254/latest/meta-data/', '169.254.169.254')).toMatch(/^HTTP\/1\.1 403[\s\S]*not on this sandbox/);
    expect(await get(`http://127.0.0.1:${upPort}/`, `127.0.0.1:${upPort}`)).toMatch(/^HTTP\/1\.1 403/);
    const other = await ask(port, 'CONNECT registry.npmjs.org:443 HTTP/1.1\r\nHost: registry.npmjs.org:443\r\n\r\n');
    expect(other).toMatch(/^HTTP\/1\.1 403[\s\S]*not on this sandbox's egress allow-list/);
  });
});

describe('egress relay requests the agent refuses', () => {
  let agent: ServedAgent;
  beforeAll(async () => {
    agent = await serveAgent();
  });
  afterAll(() => agent?.stop());

  /** The first frame the agent answers to one request. */
  const first = (send: Buffer) =>
    new Promise<{ type: number; text: string }>((resolve, reject) => {
      const c = net.createConnection(agent.socket, () => c.write(send));
      const d = new FrameDecoder();
      c.on('data', (chunk) => {
        const [f] = d.push(chunk);
        if (f) {
          c.destroy();
          resolve({ type: f.type, text: f.payload.subarray(4).toString() });
        }
      });
      c.on('error', reject);
    });

  it('a listen without a port, and a stream with no listener, are errors', async () => {
    expect(await first(encodeFrame(Frame.EGRESS_LISTEN))).toMatchObject({ type: Frame.ERR, text: expect.stringContaining('needs a port') });
    expect(await first(encodeFrame(Frame.EGRESS_STREAM))).toMatchObject({ type: Frame.ERR, text: expect.stringContaining('no egress listener') });
  });

  it('the one-shot agent on the host (files only) never listens', () => {
    const ran = spawnSync(agentBin, ['once'], { input: encodeFrame(Frame.EGRESS_LISTEN, encodeTlvs([[1, '3128']])) });
    const out = ran.stdout;
    expect(ran.status).toBe(1);
    expect(out[0]).toBe(Frame.ERR);
    expect(out.subarray(9).toString()).toContain('only file requests');
  });
});

describe('egress relay against a hostile agent', () => {
  let dir: string;
  let sock: string;
  let peer: net.Server;
  let stop: (() => void) | undefined;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  /** What the peer does with each request's first frame. */
  let answer: (type: number, c: net.Socket) => void = () => {};
  let openNow = 0;
  let openMax = 0;

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-relay-'));
    sock = path.join(dir, 'agent.sock');
    peer = net.createServer((c) => {
      openMax = Math.max(openMax, ++openNow);
      c.on('close', () => openNow--);
      c.on('error', () => {});
      const d = new FrameDecoder();
      // Only the request is framed: what follows an OK is the relayed connection's raw bytes.
      const onData = (chunk: Buffer) => {
        const [f] = d.push(chunk);
        if (!f) return;
        c.off('data', onData);
        answer(f.type, c);
      };
      c.on('data', onData);
    });
    await new Promise<void>((res) => peer.listen(sock, res));
  });
  afterEach(() => {
    stop?.();
    stop = undefined;
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    peer?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a stream the agent starts on its own is still judged by the proxy', async () => {
    const answers: string[] = [];
    answer = (type, c) => {
      if (type === Frame.EGRESS_LISTEN) return void c.write(encodeFrame(Frame.OK));
      if (answers.length >= 2) return; // enough streams for this test: leave the rest waiting
      // OK and, in the same write, a request for the metadata service and a private address.
      const target = answers.length === 0 ? '169.254.169.254:80' : '10.0.0.1:443';
      answers.push('');
      const i = answers.length - 1;
      c.on('data', (d) => {
        answers[i] += d;
      });
      c.write(Buffer.concat([encodeFrame(Frame.OK), Buffer.from(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`)]));
    };
    stop = startEgressRelay(() => net.createConnection(sock), 3128, createEgressProxy(null, log, null), log);
    await until(() => answers.length === 2 && answers.every((a) => a.includes('\r\n\r\n')), 5000, 'both answers');
    expect(answers[0]).toMatch(/^HTTP\/1\.1 403 Forbidden[\s\S]*169\.254\.169\.254/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(uncaught).toEqual([]);
  });

  it('an agent that starts every stream at once gets at most MAX_CONNECTIONS of them', async () => {
    await until(() => openNow === 0, 5000, 'the last test\'s streams to close');
    openMax = 0;
    answer = (_type, c) => c.write(encodeFrame(Frame.OK)); // and never closes one
    stop = startEgressRelay(() => net.createConnection(sock), 3128, createEgressProxy(null, log, null), log);
    await until(() => openMax >= MAX_CONNECTIONS, 10_000, 'the cap');
    await sleep(500);
    // The listener, the streams in use and the few asked for while the last ones started.
    expect(openMax).toBeLessThanOrEqual(MAX_CONNECTIONS + 1 + 4);
    expect(uncaught).toEqual([]);
  });

  it('garbage, errors and hang-ups from the agent neither crash the runner nor spin it', async () => {
    let requests = 0;
    answer = (type, c) => {
      requests++;
      if (type === Frame.EGRESS_LISTEN) return void c.write(encodeFrame(Frame.OK));
      const pick = requests % 3;
      if (pick === 0) c.write(Buffer.from([Frame.OK, 0xff, 0xff, 0xff, 0xff]));
      else if (pick === 1) c.write(encodeFrame(Frame.ERR, Buffer.from([0, 0, 0, 5, 0x78])));
      else c.destroy();
    };
    stop = startEgressRelay(() => net.createConnection(sock), 3128, createEgressProxy(null, log, null), log);
    await sleep(2500);
    // Each failed stream is retried after a pause, not at once: a handful per second.
    expect(requests).toBeGreaterThan(4);
    expect(requests).toBeLessThan(40);
    expect(uncaught).toEqual([]);
  });

  it('a stream whose first request never begins is closed at the proxy’s headers deadline', async () => {
    await until(() => openNow === 0, 15_000, 'the last test\'s streams to close');
    let trickled: net.Socket | undefined;
    let closedAfter = -1;
    answer = (type, c) => {
      if (type === Frame.EGRESS_LISTEN || trickled) return void c.write(encodeFrame(Frame.OK));
      // One stream starts a request and sends a byte of a header every 100 ms, never finishing it.
      trickled = c;
      c.write(Buffer.concat([encodeFrame(Frame.OK), Buffer.from('GET http://example.com/ HTTP/1.1\r\nX-Slow: ')]));
      const started = Date.now();
      const drip = setInterval(() => c.write('a'), 100);
      c.on('close', () => {
        clearInterval(drip);
        closedAfter = Date.now() - started;
      });
    };
    const proxy = createEgressProxy(null, log, null);
    proxy.headersTimeout = 400;
    stop = startEgressRelay(() => net.createConnection(sock), 3128, proxy, log);
    await until(() => closedAfter >= 0, 5000, 'the trickling stream to be closed');
    expect(closedAfter).toBeGreaterThanOrEqual(350);
    expect(closedAfter).toBeLessThan(2000);
    expect(uncaught).toEqual([]);
  });

  it('an agent that answers OK and hangs up at once gets a bounded number of streams a second', async () => {
    let streams = 0;
    answer = (type, c) => {
      c.write(encodeFrame(Frame.OK));
      if (type === Frame.EGRESS_LISTEN) return;
      streams++;
      c.end();
    };
    stop = startEgressRelay(() => net.createConnection(sock), 3128, createEgressProxy(null, log, null), log);
    await sleep(2000);
    // 200 a second at most (plus the first second's burst), however fast the agent hangs up.
    expect(streams).toBeGreaterThan(50);
    expect(streams).toBeLessThanOrEqual(650);
    expect(uncaught).toEqual([]);
  });
});
