import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as start from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as one from '@/app/api/v1/secrets/[name]/route';
import * as list from '@/app/api/v1/secrets/route';
import * as shares from '@/app/api/v1/shares/route';
import { getDb, schema } from '@/db';
import { runnerClient } from '@/lib/runners/registry';
import { reconcileSandboxes } from '@/lib/sandboxes/reconcile';
import { readRecord, type RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * Secrets through the console into real sandboxes: the create and start paths resolve them (a
 * name that does not exist is a 400 naming it), env secrets are in every command, egress-only
 * ones are placeholders, network rules are checked, a value changed in the vault reaches a
 * running sandbox's proxy at once (or at the next reconcile), and neither the database nor the
 * runner's records hold a value.
 */
let runner: RunnerHandle;
let A: TestOrg;
beforeAll(async () => {
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
});
afterAll(() => teardown(runner));

const ENV_VALUE = `env-${'a1b2'.repeat(8)}-zz`;
const ENV_VALUE_2 = `env2-${'c3d4'.repeat(8)}-yy`;
const API_VALUE = `sk-${'e5f6'.repeat(8)}-xx`;
const API_VALUE_2 = `sk2-${'a7b8'.repeat(8)}-ww`;

const exec = async (id: string, cmd: string) => (await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, params: { id }, body: { cmd } })).json;

describe('secrets in sandboxes through the API', () => {
  let id: string;
  let placeholder: string;

  it('refuses unknown secrets, egress secrets without egress, hosts outside the allow-list and env clashes', async () => {
    await api(list.POST, 'POST', '/secrets', { key: A.developer, body: { name: 'ENV_SECRET', value: ENV_VALUE } });
    const created = await api(list.POST, 'POST', '/secrets', { key: A.developer, body: { name: 'API_KEY', value: API_VALUE, hosts: ['api.example.com'] } });
    placeholder = created.json.secret.placeholder;
    const create = (body: object) => api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body });
    const cases: Array<[string, object, RegExp]> = [
      ['unknown', { secrets: ['ENV_SECRET', 'NOPE_1', 'NOPE_2'] }, /Unknown secrets: NOPE_1, NOPE_2/],
      ['egress without network', { secrets: ['API_KEY'] }, /API_KEY is egress-only \(api\.example\.com\).*"mode":"egress"/],
      ['host outside the allow-list', { secrets: ['API_KEY'], network: { mode: 'egress', allow: ['pypi.org'] } }, /API_KEY is for api\.example\.com, which network\.allow does not include/],
      ['env clash', { secrets: ['ENV_SECRET'], env: { ENV_SECRET: 'x' } }, /ENV_SECRET is both in env and in secrets/],
      ['twice', { secrets: ['ENV_SECRET', 'ENV_SECRET'] }, /at most once/],
      ['bad name', { secrets: ['lower'] }, /secrets are names/],
    ];
    for (const [what, body, message] of cases) {
      const res = await create(body);
      expect(res.status, what).toBe(400);
      expect(res.json.error.message, what).toMatch(message);
    }
    const viewer = await create({ secrets: ['ENV_SECRET'] }).then(() => api(sandboxes.POST, 'POST', '/sandboxes', { key: A.viewer, body: { secrets: ['ENV_SECRET'] } }));
    expect(viewer.status).toBe(403);
    // nothing of those was made (the one valid create above aside)
    const db = await getDb();
    const rows = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.orgId, A.scope.orgId));
    expect(rows.filter((r) => r.state !== 'deleted')).toHaveLength(1);
  }, 60_000);

  it('gives env secrets by value and egress secrets as placeholders, and records the use', async () => {
    const res = await api(sandboxes.POST, 'POST', '/sandboxes', {
      key: A.developer,
      body: { secrets: ['ENV_SECRET', 'API_KEY'], network: { mode: 'egress', allow: ['*.example.com'] } },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    id = res.json.id;
    expect(res.json.secrets).toEqual(['ENV_SECRET', 'API_KEY']);
    const out = await exec(id, 'echo "$ENV_SECRET|$API_KEY|$HTTPS_PROXY|$SSL_CERT_FILE"; grep -c "egress CA (the runner" /etc/ssl/certs/ca-certificates.crt');
    expect(out.stdout).toBe(`${ENV_VALUE}|${placeholder}|http://127.0.0.1:3128|/etc/ssl/certs/ca-certificates.crt\n1\n`);
    const got = await api(one.GET, 'GET', '/secrets/API_KEY', { key: A.developer, params: { name: 'API_KEY' } });
    expect(got.json.secret.usage.sandboxes).toEqual([{ id, state: 'running' }]);
    expect(got.json.secret.lastUsedAt).toBeTruthy();
    const listed = await api(list.GET, 'GET', '/secrets', { key: A.developer });
    expect(listed.json.secrets.find((s: { name: string }) => s.name === 'ENV_SECRET').usedBy).toEqual({ sandboxes: 2, shares: 0, templates: 0 });
    const db = await getDb();
    const uses = await db
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.orgId, A.scope.orgId), eq(schema.auditEvents.action, 'secret.use'), eq(schema.auditEvents.targetId, id)));
    expect(uses.map((u) => u.data)).toEqual([{ secrets: ['ENV_SECRET', 'API_KEY'], action: 'create' }]);
  }, 60_000);

  it('sends a changed egress value to the running sandbox at once, and the reconciler catches up a missed one', async () => {
    const client = await runnerClient('local');
    expect((await client.get(id)).secrets.egress).toEqual([{ name: 'API_KEY', hosts: ['api.example.com'], revision: 1 }]);
    await api(one.PATCH, 'PATCH', '/secrets/API_KEY', { key: A.developer, params: { name: 'API_KEY' }, body: { value: API_VALUE_2 } });
    expect((await client.get(id)).secrets.egress).toEqual([{ name: 'API_KEY', hosts: ['api.example.com'], revision: 2 }]);
    // A change the runner never heard of (as if it had been down): the reconciler sends it.
    const db = await getDb();
    await db
      .update(schema.secrets)
      .set({ revision: 3, hosts: ['api.example.com', 'files.example.com'] })
      .where(and(eq(schema.secrets.orgId, A.scope.orgId), eq(schema.secrets.name, 'API_KEY')));
    await reconcileSandboxes({ orgId: A.scope.orgId });
    expect((await client.get(id)).secrets.egress).toEqual([{ name: 'API_KEY', hosts: ['api.example.com', 'files.example.com'], revision: 3 }]);
    // env secrets keep their value until the sandbox restarts
    await api(one.PATCH, 'PATCH', '/secrets/ENV_SECRET', { key: A.developer, params: { name: 'ENV_SECRET' }, body: { value: ENV_VALUE_2 } });
    expect((await exec(id, 'echo "$ENV_SECRET"')).stdout).toBe(`${ENV_VALUE}\n`);
  }, 60_000);

  it('resolves secrets again at start; a deleted one stops the start with a 400 naming it', async () => {
    const p = { key: A.developer, params: { id } };
    expect((await api(stop.POST, 'POST', `/sandboxes/${id}/stop`, p)).status).toBe(200);
    expect((await api(start.POST, 'POST', `/sandboxes/${id}/start`, p)).status).toBe(200);
    expect((await exec(id, 'echo "$ENV_SECRET"')).stdout).toBe(`${ENV_VALUE_2}\n`);
    // Deleting an egress secret takes it off the running sandbox at once.
    const del = await api(one.DELETE, 'DELETE', '/secrets/API_KEY', { key: A.developer, params: { name: 'API_KEY' } });
    expect(del.json.usage.sandboxes.map((s: { id: string }) => s.id)).toContain(id);
    const client = await runnerClient('local');
    expect((await client.get(id)).secrets.egress).toEqual([]);
    await api(stop.POST, 'POST', `/sandboxes/${id}/stop`, p);
    const again = await api(start.POST, 'POST', `/sandboxes/${id}/start`, p);
    expect(again.status).toBe(400);
    expect(again.json.error.message).toMatch(/Unknown secret: API_KEY/);
    const db = await getDb();
    const [row] = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.id, id));
    expect(row!.state).toBe('stopped'); // nothing was claimed
  }, 90_000);

  it('takes only egress-only secrets on demo links', async () => {
    await api(list.POST, 'POST', '/secrets', { key: A.developer, body: { name: 'DEMO_KEY', value: API_VALUE, hosts: ['api.example.com'] } });
    const link = await api(shares.POST, 'POST', '/shares', { key: A.developer, body: { template: 'default', secrets: ['DEMO_KEY'] } });
    expect(link.status).toBe(201);
    expect(link.json.share.secrets).toEqual(['DEMO_KEY']);
    const env = await api(shares.POST, 'POST', '/shares', { key: A.developer, body: { template: 'default', secrets: ['ENV_SECRET'] } });
    expect(env.status).toBe(400);
  });

  it('keeps values out of the runner’s records and journal', async () => {
    const { key } = readRecord(runner.dataDir, id);
    const files: string[] = [];
    const walk = (p: string) => {
      for (const n of fs.readdirSync(p, { withFileTypes: true })) {
        const f = path.join(p, n.name);
        if (n.isDirectory()) walk(f);
        // The sandboxes' own disks (an ext4 image, or the btrfs pool's loop file) hold what they write.
        else if (n.isFile() && n.name !== 'disk.img' && n.name !== 'pool.img') files.push(f);
      }
    };
    walk(runner.dataDir);
    expect(files.some((f) => f.includes(key))).toBe(true);
    for (const f of files) {
      const text = fs.readFileSync(f);
      for (const v of [ENV_VALUE, ENV_VALUE_2, API_VALUE, API_VALUE_2]) expect(text.includes(v), `${f} holds a value`).toBe(false);
    }
  });
});
