import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signUp } from '@/app/api/signup/route';
import * as apiKeysRoute from '@/app/api/v1/api-keys/route';
import * as invitationsRoute from '@/app/api/v1/invitations/route';
import * as memberById from '@/app/api/v1/members/[userId]/route';
import * as orgRoute from '@/app/api/v1/org/route';
import * as orgsRoute from '@/app/api/orgs/route';
import * as sandboxesRoute from '@/app/api/v1/sandboxes/route';
import * as sharesRoute from '@/app/api/v1/shares/route';
import * as shareById from '@/app/api/v1/shares/[id]/route';
import { closeDb, getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { call, makeKey, makeOrg, makeUser, req, uniq } from './helpers/fixtures';
import { signInAs } from './helpers/session';


afterAll(closeDb);

let scope: OrgScope;
let key: string;
beforeAll(async () => {
  ({ scope } = await makeOrg());
  key = await makeKey(scope, 'owner');
});

const SQLISH = "'; drop table orgs; --";
const HTMLISH = '<script>alert(1)</script>';

function expectError(res: { status: number; json: { error?: { code: string; message: string } } }, status: number) {
  expect(res.status).toBe(status);
  expect(res.json.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  expect(res.json.error!.message.length).toBeGreaterThan(3);
}

describe('bad input is a 4xx with {error:{code,message}} and stores nothing', () => {
  it('malformed JSON', async () => {
    for (const rawBody of ['{"name": ', 'not json', '[1,2', '{"name":"x",}']) {
      const res = await call(apiKeysRoute.POST, req('POST', '/x', { key, rawBody }));
      expectError(res, 400);
      expect(res.json.error.code).toBe('bad_request');
    }
  });

  it('wrong types and missing fields', async () => {
    const bodies = [{ name: 42 }, { name: ['a'] }, { name: 'ok', role: 'superuser' }, { name: 'ok', expiresInDays: '7' }, {}, null, [], 'str'];
    for (const body of bodies) expectError(await call(apiKeysRoute.POST, req('POST', '/x', { key, body })), 400);
    expectError(await call(invitationsRoute.POST, req('POST', '/x', { key, body: { role: 'viewer', expiresInDays: 31 } })), 400);
    expectError(await call(memberById.PATCH, req('PATCH', '/x', { key, body: { role: 7 } }), { userId: 'abc' }), 400);
    expectError(await call(orgRoute.PATCH, req('PATCH', '/x', { key, body: {} })), 400);
  });

  it('unknown fields are refused, not ignored (strict schemas)', async () => {
    const res = await call(apiKeysRoute.POST, req('POST', '/x', { key, body: { name: 'ok', role: 'viewer', orgId: 'someone-else' } }));
    expectError(res, 400);
    expect(res.json.error.message).toMatch(/orgId|Unrecognized/i);
    expectError(await call(orgRoute.PATCH, req('PATCH', '/x', { key, body: { name: 'ok', personal: false } })), 400);
    const list = await call(apiKeysRoute.GET, req('GET', '/x', { key }));
    expect(list.json.apiKeys.map((k: { name: string }) => k.name)).not.toContain('ok');
  });

  it('oversized bodies are 413, whether declared or not', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
    expectError(await call(apiKeysRoute.POST, req('POST', '/x', { key, rawBody: big })), 413);
    const declared = req('POST', '/x', { key, rawBody: big, headers: { 'content-length': String(big.length) } });
    expectError(await call(apiKeysRoute.POST, declared), 413);
  });

  it('SQL-ish and HTML-ish names are refused everywhere a name is taken, and nothing is stored', async () => {
    const u = await makeUser();
    signInAs(u);
    for (const name of [SQLISH, HTMLISH, 'a\u0000b', 'tab\there', '"quoted"']) {
      expectError(await call(apiKeysRoute.POST, req('POST', '/x', { key, body: { name } })), 400);
      expectError(await call(orgRoute.PATCH, req('PATCH', '/x', { key, body: { name } })), 400);
      expectError(await call(orgsRoute.POST, req('POST', '/x', { body: { name } })), 400);
      const email = `evil-${uniq()}@test.example`;
      const ip = { 'x-forwarded-for': `10.7.${Math.floor(Math.random() * 250)}.1` };
      expectError(await call(signUp, req('POST', '/x', { body: { email, password: 'long enough', name }, headers: ip })), 400);
    }
    expectError(await call(orgsRoute.POST, req('POST', '/x', { body: { name: 'ok', slug: "x'; drop--" } })), 400);
    const db = await getDb();
    expect(await db.select().from(schema.orgs).where(like(schema.orgs.name, '%<script>%'))).toEqual([]);
    expect(await db.select().from(schema.orgs).where(like(schema.orgs.name, '%drop table%'))).toEqual([]);
    expect(await db.select().from(schema.apiKeys).where(like(schema.apiKeys.name, '%<%'))).toEqual([]);
    const [org] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, scope.orgId));
    expect(org!.name).toBe('Test org');
  });

  it('ordinary punctuation in names still works and comes back verbatim', async () => {
    const res = await call(apiKeysRoute.POST, req('POST', '/x', { key, body: { name: "O'Brien & Co. (CI) #2" } }));
    expect(res.status).toBe(201);
    expect(res.json.apiKey.name).toBe("O'Brien & Co. (CI) #2");
  });

  it('NUL bytes in labels, query filters and path ids are 4xx, never a database error', async () => {
    const db = await getDb();
    const shares = async () => (await db.select().from(schema.terminalShares).where(eq(schema.terminalShares.orgId, scope.orgId))).length;
    const before = await shares();
    for (const label of ['a\u0000b', 'two\nlines', '\u0000']) {
      expectError(await call(sharesRoute.POST, req('POST', '/x', { key, body: { template: 'default', label } })), 400);
    }
    expect(await shares()).toBe(before);
    expectError(await call(sandboxesRoute.GET, req('GET', '/api/v1/sandboxes?metadata=team:%00', { key })), 400);
    expectError(await call(sandboxesRoute.GET, req('GET', '/api/v1/sandboxes?cursor=%00', { key })), 400);
    for (const id of ['a\u0000b', '\u0000', 'x\u001fy']) {
      expectError(await call(shareById.DELETE, req('DELETE', '/x', { key }), { id }), 404);
      expectError(await call(memberById.DELETE, req('DELETE', '/x', { key }), { userId: id }), 404);
    }
  });

  it('ids that cannot exist are 404 before any query', async () => {
    const res = await call(memberById.DELETE, req('DELETE', '/x', { key }), { userId: "1' or '1'='1" });
    expect(res).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
  });
});
