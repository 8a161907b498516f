/**
 * What the two clients cost on their own: the official e2b client's `commands.run('echo x')`
 * against a stub envd that answers at once (start, output, end, end of stream: the same Connect
 * server-stream frames the gateway sends, in the same three writes), and a node:http keep-alive POST against a stub that
 * answers JSON at once (what bench/e2b-compat's API side does). Their difference is the part of
 * "gateway − API" that no server can remove. Used by bench/e2b-compat.ts; runs alone too:
 *   npx tsx bench/e2b-client-floor.ts [N=300]
 */
import http from 'node:http';
import { Sandbox } from 'e2b';

/** A Connect envelope: flags, big-endian length, JSON. Flag 2 is the end of stream. */
const envelope = (message: object, flags = 0) => {
  const body = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
};

export async function clientFloors(n: number): Promise<{ http: number[]; e2b: number[] }> {
  const stub = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/exec') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exitCode: 0, stdout: 'x\n', stderr: '' }));
        return;
      }
      // In three writes, as any envd sends them (the gateway's, and E2B's own): the start when the
      // process starts, its output as it comes, its end with the end of stream. Each a turn of
      // this loop apart, so the client reads each on its own, as it does from a real server.
      res.writeHead(200, { 'content-type': 'application/connect+json' });
      res.write(envelope({ event: { start: { pid: 7 } } }));
      setImmediate(() => {
        res.write(envelope({ event: { data: { stdout: Buffer.from('x\n').toString('base64') } } }));
        setImmediate(() => {
          res.write(envelope({ event: { end: { exitCode: 0, exited: true, status: 'exit status 0' } } }));
          res.end(envelope({}, 2));
        });
      });
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(stub.address() as { port: number }).port}`;
  const agent = new http.Agent({ keepAlive: true });
  // The client's constructor is what Sandbox.create/connect call after the API answered; here it
  // is pointed at the stub directly (sandboxUrl), with no API behind it.
  const Ctor = Sandbox as unknown as new (opts: object) => Sandbox;
  const sbx = new Ctor({ sandboxId: 'stub', envdVersion: '0.4.0', envdAccessToken: 'stub', sandboxUrl: base, apiKey: 'e2b_00' });
  const raw = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const body = JSON.stringify({ cmd: 'echo x' });
      const req = http.request(`${base}/exec`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          JSON.parse(Buffer.concat(chunks).toString());
          resolve(performance.now() - t0);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const viaE2b = async () => {
    const t0 = performance.now();
    const r = await sbx.commands.run('echo x');
    if (r.stdout !== 'x\n') throw new Error(`stub run: ${JSON.stringify(r)}`);
    return performance.now() - t0;
  };
  try {
    // Warmed as bench/e2b-compat warms the real paths (300 rounds; JIT steady state).
    for (let i = 0; i < 300; i++) await Promise.all([raw(), viaE2b()]);
    const out = { http: [] as number[], e2b: [] as number[] };
    for (let i = 0; i < n; i++) {
      out.http.push(await raw());
      out.e2b.push(await viaE2b());
    }
    return out;
  } finally {
    agent.destroy();
    stub.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { report } = await import('./stats');
  const floors = await clientFloors(Number(process.argv[2] ?? 300));
  console.log(report('node:http POST against a stub that answers at once', floors.http));
  console.log(report("e2b commands.run('echo x') against a stub envd that answers at once", floors.e2b));
}
