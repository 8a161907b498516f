/**
 * The SDK's own cost per command, measured against a stub HTTP server on loopback that answers an
 * exec at once: what remains is client work (request building, fetch, JSON, the error and retry
 * machinery), with no sandbox or database in the way. Used by bench/sdk-overhead.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sandbox } from '@/sdk/src/index';
import { percentile, report } from './stats';

const RESULT = JSON.stringify({ exitCode: 0, signal: null, stdout: 'x\n', stderr: '', durationMs: 1, timedOut: false, truncated: false });
const INFO = JSON.stringify({ id: 'stubstubstubstubstub', state: 'running' });

export async function stubOverhead(n: number): Promise<string[]> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(req.url?.endsWith('/exec') ? RESULT : INFO));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const raw = () =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify({ cmd: 'echo x' }));
      const headers = { authorization: 'Bearer k', 'content-type': 'application/json', 'content-length': body.length, 'idempotency-key': crypto.randomUUID() };
      const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/sandboxes/stub/exec', method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
      });
      req.on('error', reject);
      req.end(body);
    });
  const sb = await Sandbox.connect('stubstubstubstubstub', { apiUrl: `http://127.0.0.1:${port}`, apiKey: 'k' });
  const viaSdk = () => sb.commands.run('echo x');
  const rawMs: number[] = [];
  const sdkMs: number[] = [];
  for (let i = 0; i < 500; i++) await Promise.all([raw(), viaSdk()]); // warm both paths
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await raw();
    rawMs.push(performance.now() - t0);
    t0 = performance.now();
    await viaSdk();
    sdkMs.push(performance.now() - t0);
  }
  server.close();
  agent.destroy();
  const p50 = (a: number[]) => percentile([...a].sort((x, y) => x - y), 50);
  return [
    report('stub server: raw node:http exec', rawMs),
    report('stub server: SDK commands.run', sdkMs),
    `SDK client cost at p50 (stub): ${(p50(sdkMs) - p50(rawMs)).toFixed(3)} ms`,
  ];
}
