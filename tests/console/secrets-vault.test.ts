import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/secrets/[name]/route';
import * as list from '@/app/api/v1/secrets/route';
import * as shares from '@/app/api/v1/shares/route';
import { closeDb, getDb, schema } from '@/db';
import { secretResponse } from '@/lib/openapi/secret-operations';
import { open } from '@/lib/secrets/crypto';
import { keyring, keyringFile, resetKeyringCache } from '@/lib/secrets/keyring';
import { rotateSecretsKey } from '@/lib/secrets/rotate';
import { resolveSecrets } from '@/lib/secrets/vault';
import { runCli } from './helpers/cli';
import { makeKey, makeOrg } from './helpers/fixtures';
import { api } from './sandboxes-fixture';

/**
 * The vault without sandboxes: the API and its role and tenancy matrix, bad input, the audit
 * trail, encryption (a wrong key or a changed byte fails closed), key rotation under concurrent
 * reads (the service and the CLI), and a scan of every column of every table for the values.
 */
afterAll(closeDb);
beforeEach(() => {
  delete process.env.WARREN_SECRETS_KEY;
  resetKeyringCache();
});

const value = (tag: string) => `sv-${tag}-${randomBytes(18).toString('hex')}`;
/** Every value this file ever stored, for the final scans. */
const stored: string[] = [];
const keep = (v: string) => {
  stored.push(v);
  return v;
};
/** Every response body of this file, for the "never in an answer" check. */
const answers: string[] = [];
async function call(route: Parameters<typeof api>[0], method: string, path: string, opts: Parameters<typeof api>[3] = {}) {
  const res = await api(route, method, path, opts);
  answers.push(JSON.stringify(res.json ?? res.text));
  return res;
}

async function orgWithKeys() {
  const { scope } = await makeOrg();
  const keys = {
    owner: await makeKey(scope, 'owner'),
    admin: await makeKey(scope, 'admin'),
    developer: await makeKey(scope, 'developer'),
    viewer: await makeKey(scope, 'viewer'),
    billing: await makeKey(scope, 'billing'),
  };
  return { scope, keys };
}

describe('the secrets API', () => {
  it('creates, lists, reads, updates and deletes — never answering a value', async () => {
    const { scope, keys } = await orgWithKeys();
    const v1 = keep(value('api'));
    const created = await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'OPENAI_API_KEY', value: v1, description: 'For the agent' } });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatchObject({ name: 'OPENAI_API_KEY', kind: 'env', hosts: [], placeholder: null, last2: v1.slice(-2), description: 'For the agent', usedBy: { sandboxes: 0, shares: 0 } });
    expect(created.json.secret.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    secretResponse.strict().parse(created.json.secret);

    const egress = await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'GH_TOKEN', value: keep(value('gh')), hosts: ['API.GitHub.com', '*.githubusercontent.com'] } });
    expect(egress.status).toBe(201);
    expect(egress.json.secret).toMatchObject({ kind: 'egress', hosts: ['api.github.com', '*.githubusercontent.com'] });
    expect(egress.json.secret.placeholder).toMatch(/^warren-secret-[0-9a-f]{32}$/);

    const all = await call(list.GET, 'GET', '/secrets', { key: keys.developer });
    expect(all.json.secrets.map((s: { name: string }) => s.name)).toEqual(['GH_TOKEN', 'OPENAI_API_KEY']);
    const got = await call(one.GET, 'GET', '/secrets/OPENAI_API_KEY', { key: keys.developer, params: { name: 'OPENAI_API_KEY' } });
    expect(got.json.secret).toMatchObject({ name: 'OPENAI_API_KEY', usage: { sandboxes: [], shares: [] } });

    const v2 = keep(value('api2'));
    const updated = await call(one.PATCH, 'PATCH', '/secrets/OPENAI_API_KEY', { key: keys.developer, params: { name: 'OPENAI_API_KEY' }, body: { value: v2 } });
    expect(updated.status).toBe(200);
    expect(updated.json.secret.fingerprint).not.toBe(created.json.secret.fingerprint);
    expect(updated.json.secret.last2).toBe(v2.slice(-2));
    expect((await resolveSecrets(scope.orgId, ['OPENAI_API_KEY'])).env).toEqual({ OPENAI_API_KEY: v2 });
    const meta = await call(one.PATCH, 'PATCH', '/secrets/OPENAI_API_KEY', { key: keys.developer, params: { name: 'OPENAI_API_KEY' }, body: { description: 'Rotated' } });
    expect(meta.json.secret).toMatchObject({ description: 'Rotated', fingerprint: updated.json.secret.fingerprint });
    // The same value under another name has the same fingerprint (it identifies a value in the org).
    const twin = await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'TWIN', value: v2 } });
    expect(twin.json.secret.fingerprint).toBe(updated.json.secret.fingerprint);

    const gone = await call(one.DELETE, 'DELETE', '/secrets/TWIN', { key: keys.developer, params: { name: 'TWIN' } });
    expect(gone.json).toEqual({ name: 'TWIN', usage: { sandboxes: [], shares: [], templates: [] } });
    expect((await call(one.GET, 'GET', '/secrets/TWIN', { key: keys.developer, params: { name: 'TWIN' } })).status).toBe(404);

    // The audit trail names secrets and what changed, never a value.
    const db = await getDb();
    const events = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.orgId, scope.orgId));
    const actions = events.map((e) => `${e.action}:${e.targetId}`);
    for (const a of ['secret.create:OPENAI_API_KEY', 'secret.create:GH_TOKEN', 'secret.update:OPENAI_API_KEY', 'secret.delete:TWIN']) expect(actions).toContain(a);
    // Both updates, each naming what it changed (rows come back in no particular order).
    const updates = events.filter((e) => e.action === 'secret.update').map((e) => (e.data as { fields?: string[] }).fields);
    expect(updates).toHaveLength(2);
    expect(updates).toEqual(expect.arrayContaining([['value'], ['description']]));
    for (const v of stored) expect(JSON.stringify(events)).not.toContain(v);
  });

  it('follows the role table, and another org’s secret is a 404', async () => {
    const a = await orgWithKeys();
    const b = await orgWithKeys();
    const body = (name: string) => ({ name, value: keep(value(name)) });
    for (const role of ['owner', 'admin', 'developer'] as const) {
      expect((await call(list.POST, 'POST', '/secrets', { key: a.keys[role], body: body(`BY_${role.toUpperCase()}`) })).status, role).toBe(201);
      expect((await call(list.GET, 'GET', '/secrets', { key: a.keys[role] })).status, role).toBe(200);
    }
    for (const role of ['viewer', 'billing'] as const) {
      expect((await call(list.POST, 'POST', '/secrets', { key: a.keys[role], body: body('NOPE') })).status, role).toBe(403);
      expect((await call(list.GET, 'GET', '/secrets', { key: a.keys[role] })).status, role).toBe(403);
      expect((await call(one.GET, 'GET', '/secrets/BY_OWNER', { key: a.keys[role], params: { name: 'BY_OWNER' } })).status, role).toBe(403);
      expect((await call(one.PATCH, 'PATCH', '/secrets/BY_OWNER', { key: a.keys[role], params: { name: 'BY_OWNER' }, body: { description: 'x' } })).status, role).toBe(403);
      expect((await call(one.DELETE, 'DELETE', '/secrets/BY_OWNER', { key: a.keys[role], params: { name: 'BY_OWNER' } })).status, role).toBe(403);
    }
    // Org B's owner, with every verb, on org A's secret: not found, and nothing changed.
    const p = { params: { name: 'BY_OWNER' } };
    expect((await call(one.GET, 'GET', '/secrets/BY_OWNER', { key: b.keys.owner, ...p })).status).toBe(404);
    expect((await call(one.PATCH, 'PATCH', '/secrets/BY_OWNER', { key: b.keys.owner, ...p, body: { value: 'overwritten!' } })).status).toBe(404);
    expect((await call(one.DELETE, 'DELETE', '/secrets/BY_OWNER', { key: b.keys.owner, ...p })).status).toBe(404);
    expect((await call(list.GET, 'GET', '/secrets', { key: b.keys.owner })).json.secrets).toEqual([]);
    expect(Object.keys((await resolveSecrets(a.scope.orgId, ['BY_OWNER'])).env ?? {})).toEqual(['BY_OWNER']);
    await expect(resolveSecrets(b.scope.orgId, ['BY_OWNER'])).rejects.toMatchObject({ status: 400, message: expect.stringContaining('BY_OWNER') });
    // Both orgs may have a secret of the same name.
    expect((await call(list.POST, 'POST', '/secrets', { key: b.keys.owner, body: body('BY_OWNER') })).status).toBe(201);
  });

  it('refuses bad input with a 400 (or 409 for a duplicate) that never quotes the value', async () => {
    const { keys } = await orgWithKeys();
    const secretish = keep(value('bad'));
    const bad: Array<[string, unknown, number]> = [
      ['lowercase name', { name: 'openai_key', value: secretish }, 400],
      ['leading digit', { name: '1KEY', value: secretish }, 400],
      ['dash', { name: 'MY-KEY', value: secretish }, 400],
      ['129 characters', { name: `K${'X'.repeat(128)}`, value: secretish }, 400],
      ['empty name', { name: '', value: secretish }, 400],
      ['empty value', { name: 'EMPTY', value: '' }, 400],
      ['64 KiB + 1', { name: 'BIG', value: 'x'.repeat(64 * 1024 + 1) }, 400],
      ['NUL', { name: 'NUL', value: `${secretish}\0` }, 400],
      ['unknown field', { name: 'EXTRA', value: secretish, owner: 'me' }, 400],
      ['egress value with a newline', { name: 'EGRESS_NL', value: `${secretish}\r\nX-Injected: 1`, hosts: ['api.example.com'] }, 400],
      ['egress value too short', { name: 'EGRESS_SHORT', value: 'abc', hosts: ['api.example.com'] }, 400],
      ['IP as host', { name: 'IPHOST', value: secretish, hosts: ['10.0.0.1'] }, 400],
      ['URL as host', { name: 'URLHOST', value: secretish, hosts: ['https://api.example.com/'] }, 400],
      ['33 hosts', { name: 'MANYHOSTS', value: secretish, hosts: Array.from({ length: 33 }, (_, i) => `h${i}.example.com`) }, 400],
    ];
    for (const [what, body, status] of bad) {
      const res = await call(list.POST, 'POST', '/secrets', { key: keys.developer, body });
      expect(res.status, what).toBe(status);
      expect(res.json.error.code, what).toBe('validation_failed');
      expect(JSON.stringify(res.json), what).not.toContain(secretish);
    }
    const exactly64k = 'y'.repeat(64 * 1024);
    expect((await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'BIG_OK', value: exactly64k } })).status).toBe(201);
    expect((await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'DUP', value: secretish } })).status).toBe(201);
    const dup = await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'DUP', value: keep(value('dup')) } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toContain('DUP');
    // Making an env secret egress-only checks the stored value too; a path that is no name is a 404.
    await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'MULTILINE', value: 'line one\nline two is long' } });
    const toEgress = await call(one.PATCH, 'PATCH', '/secrets/MULTILINE', { key: keys.developer, params: { name: 'MULTILINE' }, body: { hosts: ['api.example.com'] } });
    expect(toEgress.status).toBe(400);
    expect(JSON.stringify(toEgress.json)).not.toContain('line two');
    expect((await call(one.PATCH, 'PATCH', '/secrets/DUP', { key: keys.developer, params: { name: 'DUP' }, body: {} })).status).toBe(400);
    expect((await call(one.GET, 'GET', '/secrets/lower', { key: keys.developer, params: { name: 'lower' } })).status).toBe(404);
    const unknownOnLink = await call(shares.POST, 'POST', '/shares', { key: keys.developer, body: { template: 'default', secrets: ['NOT_THERE'] } });
    expect(unknownOnLink.status).toBe(400);
    expect(unknownOnLink.json.error.message).toContain('NOT_THERE');
    const envOnLink = await call(shares.POST, 'POST', '/shares', { key: keys.developer, body: { template: 'default', secrets: ['DUP'] } });
    expect(envOnLink.status).toBe(400);
    expect(envOnLink.json.error.message).toMatch(/egress-only/);
  });
});

describe('encryption', () => {
  it('stores ciphertext only, and a wrong key or any altered byte fails closed with a clear error', async () => {
    const { scope, keys } = await orgWithKeys();
    const v = keep(value('crypto'));
    await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'TAMPER', value: v } });
    const db = await getDb();
    const [row] = await db.select().from(schema.secrets).where(and(eq(schema.secrets.orgId, scope.orgId), eq(schema.secrets.name, 'TAMPER')));
    expect(open(scope.orgId, row!.id, row!.name, row!)).toBe(v);
    const flip = (b64: string, at = 20) => {
      const b = Buffer.from(b64, 'base64');
      b[at % b.length]! ^= 1;
      return b.toString('base64');
    };
    const variants: Array<[string, Partial<typeof row>]> = [
      ['ciphertext', { ciphertext: flip(row!.ciphertext) }],
      ['tag', { ciphertext: flip(row!.ciphertext, Buffer.from(row!.ciphertext, 'base64').length - 1) }],
      ['nonce', { nonce: flip(row!.nonce, 3) }],
      ['wrapped key', { wrappedKey: flip(row!.wrappedKey) }],
    ];
    for (const [what, change] of variants) {
      expect(() => open(scope.orgId, row!.id, row!.name, { ...row!, ...change }), what).toThrow(/Secret TAMPER could not be decrypted/);
    }
    // moved to another org or another row: the associated data no longer matches
    expect(() => open('another-org', row!.id, row!.name, row!)).toThrow(/could not be decrypted/);
    expect(() => open(scope.orgId, 'another-id', row!.name, row!)).toThrow(/could not be decrypted/);
    // a key version this console does not have
    expect(() => open(scope.orgId, row!.id, row!.name, { ...row!, keyVersion: 99 })).toThrow(/key version 99, which this console does not have/);
    // the wrong key altogether (same version number): GCM says no; the API answers 500 secret_unreadable
    process.env.WARREN_SECRETS_KEY = randomBytes(32).toString('base64');
    resetKeyringCache();
    await expect(resolveSecrets(scope.orgId, ['TAMPER'])).rejects.toMatchObject({ code: 'secret_unreadable', message: expect.stringContaining('TAMPER') });
    try {
      await resolveSecrets(scope.orgId, ['TAMPER']);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain(v);
    }
    // tampered row in the database: the same through the service
    delete process.env.WARREN_SECRETS_KEY;
    resetKeyringCache();
    await db.update(schema.secrets).set({ ciphertext: flip(row!.ciphertext) }).where(eq(schema.secrets.id, row!.id));
    await expect(resolveSecrets(scope.orgId, ['TAMPER'])).rejects.toMatchObject({ code: 'secret_unreadable' });
    await db.delete(schema.secrets).where(eq(schema.secrets.id, row!.id)); // (a rotation would stop at it)
  });

  it('rotates the key while reads go on, then prunes the old version (service and CLI)', async () => {
    const { scope, keys } = await orgWithKeys();
    const names = Array.from({ length: 40 }, (_, i) => `ROT_${i}`);
    const values = new Map(names.map((n) => [n, keep(value(n))]));
    for (const n of names) await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: n, value: values.get(n) } });
    const before = keyring(true).current;
    const fingerprints = new Map((await call(list.GET, 'GET', '/secrets', { key: keys.developer })).json.secrets.map((s: { name: string; fingerprint: string }) => [s.name, s.fingerprint]));

    const written = new Set([values.get('ROT_0')!]);
    let reads = 0;
    let stop = false;
    const failures: unknown[] = [];
    const reader = async () => {
      while (!stop) {
        try {
          const got = await resolveSecrets(scope.orgId, names);
          // ROT_0 is being rewritten meanwhile: any value it has had is right; the others never change.
          for (const n of names) if (n === 'ROT_0' ? !written.has(got.env?.[n] ?? '') : got.env?.[n] !== values.get(n)) failures.push(`wrong value for ${n}`);
          reads++;
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const readers = Array.from({ length: 4 }, reader);
    // Writes go on too: a value changed during the rotation ends under the new key.
    const writer = (async () => {
      for (let i = 0; i < 5; i++) {
        const v = keep(value(`w${i}`));
        values.set('ROT_0', v);
        written.add(v);
        await call(one.PATCH, 'PATCH', '/secrets/ROT_0', { key: keys.developer, params: { name: 'ROT_0' }, body: { value: v } });
      }
    })();
    const report = await rotateSecretsKey({ settleMs: 1200 });
    await writer;
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(readers);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(3);
    expect(report).toMatchObject({ version: before + 1, added: true, source: 'file' });
    const db = await getDb();
    const rows = await db.select().from(schema.secrets).where(eq(schema.secrets.orgId, scope.orgId));
    expect(new Set(rows.map((r) => r.keyVersion))).toEqual(new Set([before + 1]));
    // fingerprints are recomputed under the new key (they are keyed HMACs)
    const after = (await call(list.GET, 'GET', '/secrets', { key: keys.developer })).json.secrets as Array<{ name: string; fingerprint: string }>;
    expect(after.find((s) => s.name === 'ROT_5')!.fingerprint).not.toBe(fingerprints.get('ROT_5'));

    // the CLI: another version, pruning the older ones; reads still work
    const cli = await runCli(['secrets', 'rotate-key', '--prune'], { ...process.env });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`Added key version ${before + 2}`));
    expect(cli.stdout).toMatch(/Removed key version/);
    resetKeyringCache();
    expect([...keyring(true).keys.keys()]).toEqual([before + 2]);
    const got = await resolveSecrets(scope.orgId, names);
    for (const n of names) expect(got.env?.[n]).toBe(values.get(n));
    expect(fs.statSync(keyringFile()).mode & 0o777).toBe(0o600);
    const audit = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.action, 'secrets.rotate_key'));
    expect(audit.length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('with WARREN_SECRETS_KEY, rotation re-wraps to the highest version given', async () => {
    const { scope, keys } = await orgWithKeys();
    const old = randomBytes(32).toString('base64');
    process.env.WARREN_SECRETS_KEY = old;
    resetKeyringCache();
    const v = keep(value('envkey'));
    await call(list.POST, 'POST', '/secrets', { key: keys.developer, body: { name: 'ENVKEY', value: v } });
    process.env.WARREN_SECRETS_KEY = `2:${randomBytes(32).toString('base64')},1:${old}`;
    resetKeyringCache();
    expect((await resolveSecrets(scope.orgId, ['ENVKEY'])).env).toEqual({ ENVKEY: v }); // old rows still read
    // (this org only: other test files' rows in the shared database are under the file key)
    const report = await rotateSecretsKey({ orgId: scope.orgId });
    expect(report).toMatchObject({ version: 2, added: false, source: 'env' });
    const db = await getDb();
    const [row] = await db.select().from(schema.secrets).where(and(eq(schema.secrets.orgId, scope.orgId), eq(schema.secrets.name, 'ENVKEY')));
    expect(row!.keyVersion).toBe(2);
    process.env.WARREN_SECRETS_KEY = `2:${process.env.WARREN_SECRETS_KEY.split(',')[0]!.slice(2)}`;
    resetKeyringCache();
    expect((await resolveSecrets(scope.orgId, ['ENVKEY'])).env).toEqual({ ENVKEY: v }); // the old key is no longer needed
    // rows of other tests' orgs are under the file key: put them back for the next tests
    delete process.env.WARREN_SECRETS_KEY;
    resetKeyringCache();
    await db.delete(schema.secrets).where(eq(schema.secrets.id, row!.id));
    expect(() => keyring()).not.toThrow();
    expect(() => {
      process.env.WARREN_SECRETS_KEY = 'not-a-key';
      resetKeyringCache();
      keyring();
    }).toThrow(/32 bytes in base64/);
  });
});

describe('no plaintext anywhere', () => {
  it('no column of any table holds a value (nor its base64 or hex), and no answer did', async () => {
    expect(stored.length).toBeGreaterThan(40);
    delete process.env.WARREN_SECRETS_KEY;
    resetKeyringCache();
    const db = await getDb();
    const res = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    const tables = ((Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<{ table_name: string }>).map((t) => t.table_name);
    expect(tables).toContain('secrets');
    expect(tables).toContain('audit_events');
    const needles = stored.filter((v) => v.length >= 16).flatMap((v) => [v, Buffer.from(v).toString('base64').slice(0, 24), Buffer.from(v).toString('hex').slice(0, 32)]);
    const hits: string[] = [];
    for (const t of tables) {
      const rows = await db.execute(sql`select * from ${sql.identifier(t)}`);
      const text = JSON.stringify(Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows);
      for (const n of needles) if (text.includes(n)) hits.push(`${t}: ${n.slice(0, 12)}…`);
    }
    expect(hits).toEqual([]);
    for (const v of stored) expect(answers.join('\n').includes(v), 'an API answer').toBe(false);
  });
});
