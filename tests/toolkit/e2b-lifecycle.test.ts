import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warren } from './helpers/warren';
import { CLIENTS, mintE2bKey, pointE2bAt } from './helpers/e2b';

let key: string;
beforeAll(async () => {
  key = await mintE2bKey();
  pointE2bAt(key);
});

describe('E2B-format keys', () => {
  it('are minted by Warren as e2b_ + hex, shown once, work as Warren keys and stop working when revoked', async () => {
    expect(key).toMatch(/^e2b_[0-9a-f]{40}$/);
    const list = await fetch(`${warren().url}/api/v1/api-keys`, {
      headers: { authorization: `Bearer ${warren().adminKey}` },
    });
    const keys = ((await list.json()) as { apiKeys: Array<{ id: string; prefix: string; last4: string }> }).apiKeys;
    const mine = keys.find((k) => k.prefix === key.slice(0, 12))!;
    expect(mine.last4).toBe(key.slice(-4));
    expect(JSON.stringify(keys)).not.toContain(key);
    const other = await mintE2bKey();
    const asWarren = await fetch(`${warren().url}/api/v1/sandboxes`, { headers: { authorization: `Bearer ${other}` } });
    expect(asWarren.status).toBe(200);
    const otherId = keys.length
      ? (
          await (
            await fetch(`${warren().url}/api/v1/api-keys`, {
              headers: { authorization: `Bearer ${warren().adminKey}` },
            })
          ).json()
        ).apiKeys.find((k: { prefix: string }) => k.prefix === other.slice(0, 12)).id
      : '';
    await fetch(`${warren().url}/api/v1/api-keys/${otherId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${warren().adminKey}` },
    });
    const after = await fetch(`${warren().url}/api/e2b/v2/sandboxes`, { headers: { 'x-api-key': other } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 401 });
  });
});

describe('E2B REST errors', () => {
  it('are JSON {code, message}, never HTML or redirects', async () => {
    const base = `${warren().url}/api/e2b`;
    const noKey = await fetch(`${base}/v2/sandboxes`, { redirect: 'manual' });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('content-type')).toMatch(/json/);
    const unknown = await fetch(`${base}/nothing/here/`, { headers: { 'x-api-key': key }, redirect: 'manual' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 404 });
    const missing = await fetch(`${base}/sandboxes/nosuchsandbox1`, { headers: { 'x-api-key': key } });
    expect(await missing.json()).toMatchObject({ code: 404, message: 'Sandbox not found' });
    const bad = await fetch(`${base}/v2/sandboxes`, { method: 'POST', headers: { 'x-api-key': key }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 400 });
  });
});

describe.each(CLIENTS)('%s lifecycle against Warren', (name, { Sandbox, SandboxNotFoundError }) => {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((id) => Sandbox.kill(id).catch(() => {})));
  });

  it('creates, lists with metadata, gets info, sets the timeout, pauses, connects again, kills', async () => {
    const tag = `${name}-${Date.now()}`;
    const sbx = await Sandbox.create({ metadata: { suite: 'e2b-lifecycle', tag }, timeoutMs: 120_000 });
    made.push(sbx.sandboxId);
    expect(sbx.sandboxId).toMatch(/^[a-z0-9]+$/);

    const info = await sbx.getInfo();
    expect(info).toMatchObject({
      sandboxId: sbx.sandboxId,
      templateId: 'base',
      state: 'running',
      metadata: { suite: 'e2b-lifecycle', tag },
    });
    expect(info.endAt.getTime() - Date.now()).toBeGreaterThan(100_000);

    const listed = await Sandbox.list({ query: { metadata: { tag } } }).nextItems();
    expect(listed.map((s) => s.sandboxId)).toEqual([sbx.sandboxId]);
    expect(await Sandbox.list({ query: { metadata: { tag: 'nobody-has-this' } } }).nextItems()).toEqual([]);

    await sbx.setTimeout(600_000);
    expect((await sbx.getInfo()).endAt.getTime() - Date.now()).toBeGreaterThan(500_000);
    expect(await sbx.isRunning()).toBe(true);

    await sbx.files.write('/home/user/kept.txt', 'still here');
    await Sandbox.pause(sbx.sandboxId);
    expect((await Sandbox.getInfo(sbx.sandboxId)).state).toBe('paused');
    expect(await sbx.isRunning()).toBe(false);
    const paused = await Sandbox.list({ query: { metadata: { tag }, state: ['paused'] } }).nextItems();
    expect(paused.map((s) => s.sandboxId)).toEqual([sbx.sandboxId]);

    const again = await Sandbox.connect(sbx.sandboxId, { timeoutMs: 300_000 });
    expect((await again.getInfo()).state).toBe('running');
    // Connecting extends, never shortens: the 600 s set above still holds.
    expect((await again.getInfo()).endAt.getTime() - Date.now()).toBeGreaterThan(500_000);
    expect(await again.files.read('/home/user/kept.txt')).toBe('still here');
    expect((await again.commands.run('echo back')).stdout).toBe('back\n');
    expect((await again.getMetrics()).length).toBeGreaterThan(0);

    await again.kill();
    expect(await Sandbox.kill(sbx.sandboxId)).toBe(false);
    await expect(Sandbox.getInfo(sbx.sandboxId)).rejects.toBeInstanceOf(SandboxNotFoundError);
  });

  it('pages the list with x-next-token', async () => {
    const tag = `page-${name}-${Date.now()}`;
    const ids = await Promise.all([0, 1, 2].map(async () => (await Sandbox.create({ metadata: { tag } })).sandboxId));
    made.push(...ids);
    const pager = Sandbox.list({ query: { metadata: { tag } }, limit: 2 });
    const first = await pager.nextItems();
    expect(first).toHaveLength(2);
    expect(pager.hasNext).toBe(true);
    const second = await pager.nextItems();
    expect(pager.hasNext).toBe(false);
    expect([...first, ...second].map((s) => s.sandboxId).sort()).toEqual([...ids].sort());
  });
});
