import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2bRestHttp } from '@/lib/e2b/rest';
import { readTlsFiles } from '@/lib/net/tls';
import { startE2bGateway } from '@/lib/server/e2b-compat';
import { addHttpRoute } from '@/lib/server/routes';
import { startConsoleApi } from '../console/helpers/next-like';
import { mintE2bKey } from './helpers/e2b';

const run = promisify(execFile);

/**
 * WARREN_TLS_CERT/KEY: the console (with /api/e2b) and the envd gateway over HTTPS, with a
 * certificate made here by openssl. The official client runs in a process of its own, since
 * Node reads NODE_EXTRA_CA_CERTS (how a team trusts its own CA) only at start.
 */
const CLIENT = `
const { Sandbox } = await import(process.env.E2B_MODULE);
try {
  const sbx = await Sandbox.create({ timeoutMs: 120000 });
  const r = await sbx.commands.run('echo over-tls');
  await sbx.files.write('/home/user/t.txt', 'tls file');
  const text = await sbx.files.read('/home/user/t.txt');
  await sbx.kill();
  console.log(JSON.stringify({ ok: true, stdout: r.stdout, text }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e?.cause?.message ?? e?.message ?? e) }));
}
`;

describe('the console and the E2B gateway over TLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const script = path.join(dir, 'client.mjs');
  let api: Awaited<ReturnType<typeof startConsoleApi>>;
  let gateway: Awaited<ReturnType<typeof startE2bGateway>>;
  let clientEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:*.e2b.localhost',
      '-keyout', key, '-out', cert,
    ]);
    fs.writeFileSync(script, CLIENT);
    const tls = readTlsFiles(cert, key);
    addHttpRoute(e2bRestHttp);
    api = await startConsoleApi({ tls });
    gateway = await startE2bGateway(0, '127.0.0.1', tls);
    const { E2B_API_URL: _a, E2B_SANDBOX_URL: _s, E2B_DOMAIN: _d, E2B_API_KEY: _k, ...rest } = process.env;
    clientEnv = {
      ...rest,
      E2B_MODULE: createRequire(import.meta.url).resolve('e2b'),
      E2B_API_URL: `${api.base}/api/e2b`,
      E2B_SANDBOX_URL: `https://127.0.0.1:${gateway.port}`,
      E2B_DOMAIN: `e2b.localhost:${gateway.port}`,
      E2B_API_KEY: await mintE2bKey(),
    };
  });
  afterAll(async () => {
    gateway?.server.closeAllConnections();
    gateway?.server.close();
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const client = async (env: NodeJS.ProcessEnv) =>
    JSON.parse((await run(process.execPath, [script], { env, timeout: 120_000 })).stdout.trim().split('\n').pop()!);

  it('the official client works over HTTPS once it trusts the certificate', async () => {
    expect(api.base.startsWith('https://')).toBe(true);
    const out = await client({ ...clientEnv, NODE_EXTRA_CA_CERTS: cert });
    expect(out).toEqual({ ok: true, stdout: 'over-tls\n', text: 'tls file' });
  });

  it('a client that does not trust it is refused by the TLS handshake', async () => {
    const out = await client({ ...clientEnv, NODE_EXTRA_CA_CERTS: '' });
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/certificate/i);
  });

  it('serves a renewed certificate to new connections without a restart, and keeps the old one when the new pair is broken', async () => {
    const servedCn = () =>
      new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: Number(new URL(api.base).port), rejectUnauthorized: false }, () => {
          resolve(String(s.getPeerCertificate().subject.CN));
          s.end();
        });
        s.on('error', reject);
      });
    expect(await servedCn()).toBe('localhost');
    const renewedKey = path.join(dir, 'renewed-key.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=renewed',
      '-keyout', renewedKey, '-out', cert,
    ]);
    // The certificate is renewed but the key not yet: a mismatched pair is not taken.
    process.emit('SIGHUP', 'SIGHUP');
    expect(await servedCn()).toBe('localhost');
    fs.copyFileSync(renewedKey, key);
    process.emit('SIGHUP', 'SIGHUP');
    expect(await servedCn()).toBe('renewed');
  });

  it('says which file it could not read', () => {
    expect(() => readTlsFiles(path.join(dir, 'missing.pem'), key)).toThrow(/WARREN_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
