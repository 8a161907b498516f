import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SandboxNotFoundError } from 'e2b';
import { inject } from 'vitest';
import { makeTestOrg } from '../console/sandboxes-fixture';
import { CLIENTS, mintE2bKey, pointE2bAt } from './helpers/e2b';
import { warren } from './helpers/warren';

/**
 * Warren's protections through the E2B surface: tenancy, access tokens and signed file URLs.
 * Signed URLs name no sandbox (the clients build them from E2B_SANDBOX_URL), so they are fetched
 * by host name `49983-{id}.{domain}`, as wildcard DNS would route them in a real deployment.
 */
type Reply = { status: number; body: string };
function viaHost(
  url: string,
  sandboxId: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; host?: string } = {},
): Promise<Reply> {
  const gw = inject('e2bGateway');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: new URL(gw.url).port,
        path: `${u.pathname}${u.search}`,
        method: init.method ?? 'GET',
        headers: { host: init.host ?? `49983-${sandboxId}.${gw.domain}`, ...init.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

let mine: Sandbox;
let theirs: Sandbox;
let theirKey: string;
beforeAll(async () => {
  pointE2bAt(await mintE2bKey());
  const other = await makeTestOrg();
  theirKey = await mintE2bKey(other.admin);
  [mine, theirs] = await Promise.all([
    Sandbox.create({ timeoutMs: 300_000 }),
    Sandbox.create({ apiKey: theirKey, timeoutMs: 300_000 }),
  ]);
});
afterAll(async () => {
  await Promise.all([mine?.kill().catch(() => {}), theirs?.kill().catch(() => {})]);
});

describe('E2B protections', () => {
  it.each(CLIENTS)("another org's sandbox is not found (%s)", async (_name, e2b) => {
    await expect(e2b.Sandbox.getInfo(mine.sandboxId, { apiKey: theirKey })).rejects.toBeInstanceOf(
      e2b.SandboxNotFoundError,
    );
    await expect(e2b.Sandbox.connect(mine.sandboxId, { apiKey: theirKey })).rejects.toBeInstanceOf(
      e2b.SandboxNotFoundError,
    );
    expect(await e2b.Sandbox.kill(mine.sandboxId, { apiKey: theirKey })).toBe(false);
    const listed = await e2b.Sandbox.list({ apiKey: theirKey }).nextItems();
    expect(listed.map((s) => s.sandboxId)).toEqual([theirs.sandboxId]);
    expect(await mine.isRunning()).toBe(true);
  });

  it('the gateway refuses a wrong or foreign access token', async () => {
    const gw = inject('e2bGateway');
    const call = (sandboxId: string, token: string) =>
      fetch(`${gw.url}/process.Process/List`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'e2b-sandbox-id': sandboxId, 'x-access-token': token },
        body: '{}',
      });
    const ok = await call(mine.sandboxId, (mine as unknown as { envdAccessToken: string }).envdAccessToken);
    expect(ok.status).toBe(200);
    const theirToken = (theirs as unknown as { envdAccessToken: string }).envdAccessToken;
    for (const token of ['', 'nonsense', theirToken, `${theirToken.split('.')[0]}.${'A'.repeat(43)}`]) {
      const refused = await call(mine.sandboxId, token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 401 });
    }
    // The client with a wrong token raises its authentication error.
    const forged = await Sandbox.connect(mine.sandboxId);
    (forged as unknown as { envdAccessToken: string }).envdAccessToken = theirToken;
    await expect(forged.commands.run('true')).rejects.toMatchObject({ name: 'AuthenticationError' });
  });

  it("an access token stops working through the gateway as soon as its key is revoked, even right after a call", async () => {
    const revocable = await mintE2bKey();
    const sbx = await Sandbox.create({ apiKey: revocable, timeoutMs: 120_000 });
    try {
      // The key behind the token is now memoised for this gateway's next calls.
      expect((await sbx.commands.run('echo still')).stdout).toBe('still\n');
      const admin = { authorization: `Bearer ${warren().adminKey}` };
      const keys = (await (await fetch(`${warren().url}/api/v1/api-keys`, { headers: admin })).json()) as {
        apiKeys: Array<{ id: string; prefix: string }>;
      };
      const id = keys.apiKeys.find((k) => k.prefix === revocable.slice(0, 12))!.id;
      expect((await fetch(`${warren().url}/api/v1/api-keys/${id}`, { method: 'DELETE', headers: admin })).status).toBe(200);
      await expect(sbx.commands.run('echo never')).rejects.toMatchObject({ name: 'AuthenticationError' });
    } finally {
      await Sandbox.kill(sbx.sandboxId).catch(() => {});
    }
  });

  it('signed URLs upload and download one path only, and expire', async () => {
    await mine.files.write('/home/user/secret.txt', 'top secret');
    await mine.files.write('/home/user/public.txt', 'hello');
    const up = await mine.uploadUrl('/home/user/uploaded.txt');
    expect(up).not.toContain(mine.sandboxId);
    const boundary = 'xxBOUNDARYxx';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="uploaded.txt"\r\nContent-Type: text/plain\r\n\r\nfrom a url\r\n--${boundary}--\r\n`;
    const put = await viaHost(up, mine.sandboxId, {
      method: 'POST',
      body: multipart,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(put.status).toBe(200);
    expect(await mine.files.read('/home/user/uploaded.txt')).toBe('from a url');

    const down = await mine.downloadUrl('/home/user/public.txt');
    expect(await viaHost(down, mine.sandboxId)).toMatchObject({ status: 200, body: 'hello' });
    // The same signature for another path, for writing, or on another sandbox: refused.
    expect((await viaHost(down.replace('public.txt', 'secret.txt'), mine.sandboxId)).status).toBe(401);
    expect(
      (
        await viaHost(down, mine.sandboxId, {
          method: 'POST',
          body: 'x',
          headers: { 'content-type': 'application/octet-stream' },
        })
      ).status,
    ).toBe(401);
    expect((await viaHost(down, theirs.sandboxId)).status).toBe(401);
    const expired = await mine.downloadUrl('/home/user/public.txt', { useSignatureExpiration: -10 });
    expect((await viaHost(expired, mine.sandboxId)).status).toBe(401);
    const fresh = await mine.downloadUrl('/home/user/public.txt', { useSignatureExpiration: 60 });
    expect((await viaHost(fresh, mine.sandboxId)).status).toBe(200);
  });

  it('signed URLs work as the client builds them, with E2B_SANDBOX_URL and no sandbox in them', async () => {
    await mine.files.write('/home/user/plain.txt', 'plain');
    const down = await mine.downloadUrl('/home/user/plain.txt');
    expect(down.startsWith(inject('e2bGateway').url)).toBe(true);
    const got = await fetch(down);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('plain');
    // The signature decides the sandbox, so a URL altered in any signed part finds none.
    const other = await fetch(down.replace('plain.txt', 'secret.txt'));
    expect(other.status).toBe(401);
    expect(await other.json()).toMatchObject({ code: 401, message: expect.stringContaining('signature') });
    expect((await fetch(down, { method: 'POST', body: 'x' })).status).toBe(401);
    const theirs2 = await theirs.downloadUrl('/home/user/plain.txt');
    expect((await fetch(theirs2)).status).toBe(404); // their sandbox, found by their signature: no such file there

    const up = await mine.uploadUrl('/home/user/via-url.bin');
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'via-url.bin');
    expect((await fetch(up, { method: 'POST', body: form })).status).toBe(200);
    expect(Array.from(await mine.files.read('/home/user/via-url.bin', { format: 'bytes' }))).toEqual([1, 2, 3]);
    const expired = await mine.downloadUrl('/home/user/plain.txt', { useSignatureExpiration: -10 });
    expect((await fetch(expired)).status).toBe(401);
  });

  it('getHost(port) reaches a server in the sandbox; a private sandbox needs its traffic token', async () => {
    await mine.commands.run(
      'mkdir -p /tmp/www && echo served > /tmp/www/index.html && cd /tmp/www && python3 -m http.server 8000',
      { background: true, timeoutMs: 0 },
    );
    const host = mine.getHost(8000);
    expect(host).toBe(`8000-${mine.sandboxId}.${inject('e2bGateway').domain}`);
    let reply: Reply = { status: 0, body: '' };
    for (let i = 0; i < 50 && reply.status !== 200; i++) {
      reply = await viaHost('http://x/index.html', mine.sandboxId, { host });
      if (reply.status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(reply).toMatchObject({ status: 200, body: 'served\n' });

    const closed = await Sandbox.create({ network: { allowPublicTraffic: false }, timeoutMs: 120_000 });
    try {
      await closed.commands.run('cd /tmp && echo private > p.txt && python3 -m http.server 8001', {
        background: true,
        timeoutMs: 0,
      });
      const closedHost = closed.getHost(8001);
      expect((await viaHost('http://x/p.txt', closed.sandboxId, { host: closedHost })).status).toBe(404);
      const token = (closed as unknown as { trafficAccessToken: string }).trafficAccessToken;
      expect(token).toBeTruthy();
      let ok: Reply = { status: 0, body: '' };
      for (let i = 0; i < 50 && ok.status !== 200; i++) {
        ok = await viaHost('http://x/p.txt', closed.sandboxId, {
          host: closedHost,
          headers: { 'e2b-traffic-access-token': token },
        });
        if (ok.status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ok).toMatchObject({ status: 200, body: 'private\n' });
    } finally {
      await closed.kill();
    }
  });

  it('health is 502 once the sandbox is paused; a killed sandbox is not found', async () => {
    const sbx = await Sandbox.create({ timeoutMs: 120_000 });
    expect(await sbx.isRunning()).toBe(true);
    await sbx.pause();
    expect(await sbx.isRunning()).toBe(false);
    await Sandbox.kill(sbx.sandboxId);
    await expect(Sandbox.connect(sbx.sandboxId)).rejects.toBeInstanceOf(SandboxNotFoundError);
  });
});
