import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerUnavailableError, surelyNotDone } from './errors';
import { Transport } from './transport';

/**
 * Kept-alive runner connections against a real HTTP server in another process: a connection the
 * server closed while it sat idle (its keep-alive timeout) is never the reason a call fails, even
 * when this process's event loop was blocked past the point where it would have noticed.
 */
const SERVER = `
const http = require('node:http');
let n = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    n++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ n, got: req.method + ' ' + req.url + ' ' + body }));
  });
});
server.on('connection', () => console.log('connection'));
// Announced as "timeout=2": the client drops an idle connection after 1 s, the server at 2.5 s.
server.keepAliveTimeout = 2500;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

describe('runner transport keep-alive', () => {
  let child: ChildProcess;
  let url: string;
  let connections = 0;
  beforeAll(async () => {
    child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve) => {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        for (const line of d.split('\n')) {
          if (line === 'connection') connections++;
          const m = /^port (\d+)$/.exec(line);
          if (m) resolve(`http://127.0.0.1:${m[1]}`);
        }
      });
    });
  });
  afterAll(() => {
    child?.kill();
  });

  it('reuses one connection for back-to-back calls', async () => {
    const t = new Transport(url, 'token');
    const before = connections;
    for (let i = 0; i < 5; i++) await t.json('GET', '/x');
    await new Promise((r) => setTimeout(r, 100)); // the child's log lines
    expect(connections - before).toBe(1);
  });

  it('sends a call again, once, when its kept-alive connection was closed while the event loop was blocked', async () => {
    const t = new Transport(url, 'token');
    const first = await t.json<{ n: number }>('POST', '/first', { body: { a: 1 } });
    await new Promise((r) => setTimeout(r, 100)); // the connection is back in the pool, idle
    const before = connections;
    // Blocked past the server closing it (2.5 s, and the 1 s Node adds): its close arrives while the client's 1 s timer cannot run.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4500);
    const second = await t.json<{ n: number; got: string }>('POST', '/second', { body: { b: 2 } });
    expect(second.got).toBe('POST /second {"b":2}');
    expect(second.n).toBe(first.n + 1); // it reached the server exactly once
    await new Promise((r) => setTimeout(r, 100));
    expect(connections - before).toBe(1); // on a new connection
  });
});

/** A runner that dies in the middle of a DELETE: after reading it, before answering (kill -9). */
const DIES_ON_DELETE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'DELETE') process.kill(process.pid, 'SIGKILL');
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

describe('runner transport, a runner dying mid-call', () => {
  it('a repeatable call cut after the runner read it is not "never sent", even when the resend finds the runner gone', async () => {
    const child = spawn(process.execPath, ['-e', DIES_ON_DELETE], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve) => {
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          const m = /port (\d+)/.exec(d);
          if (m) resolve(`http://127.0.0.1:${m[1]}`);
        });
      });
      const t = new Transport(url, 'token');
      await t.json('GET', '/first'); // a kept-alive connection, which the DELETE then goes out on
      const err = await t.json('DELETE', '/v1/snapshots/s1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunnerUnavailableError);
      expect((err as RunnerUnavailableError).message).toMatch(/ECONNRESET/);
      expect(surelyNotDone(err)).toBe(false); // the snapshot's layer may be gone: its delete must stand
      // A runner that was never reached is still told apart: that call surely did nothing.
      expect(surelyNotDone(await t.json('DELETE', '/v1/snapshots/s2').catch((e: unknown) => e))).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
