import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apiKeyById from '@/app/api/v1/api-keys/[id]/route';
import * as apiKeysRoute from '@/app/api/v1/api-keys/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as invitationById from '@/app/api/v1/invitations/[id]/route';
import * as invitationsRoute from '@/app/api/v1/invitations/route';
import * as memberById from '@/app/api/v1/members/[userId]/route';
import * as membersRoute from '@/app/api/v1/members/route';
import * as orgRoute from '@/app/api/v1/org/route';
import { closeDb, getDb, schema } from '@/db';
import { createApiKey } from '@/lib/api-keys/api-keys';
import { can, type Permission, ROLES, type Role } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { createInvitation } from '@/lib/invitations/invitations';
import { addMember, call, makeKey, makeOrg, req } from './helpers/fixtures';

// No Next request context here: nobody is signed in unless a test says so.

afterAll(closeDb);

type World = { scope: OrgScope; ownerKey: string; memberId: string; invitationId: string; apiKeyId: string };

async function world(): Promise<World> {
  const { scope } = await makeOrg();
  const member = await addMember(scope, 'developer');
  const inv = await createInvitation(scope, { role: 'viewer' });
  const key = await createApiKey(scope, { name: 'victim key', role: 'developer' });
  return { scope, ownerKey: await makeKey(scope, 'owner'), memberId: member.user.userId, invitationId: inv.invitation.id, apiKeyId: key.apiKey.id };
}

let A: World;
let B: World;
beforeAll(async () => {
  [A, B] = await Promise.all([world(), world()]);
});

describe('tenancy: org A’s key never reaches org B’s resources', () => {
  const idRoutes = [
    { name: 'PATCH /members/:userId', fn: memberById.PATCH, method: 'PATCH', path: 'members', param: 'userId', res: 'memberId', body: { role: 'viewer' } },
    { name: 'DELETE /members/:userId', fn: memberById.DELETE, method: 'DELETE', path: 'members', param: 'userId', res: 'memberId' },
    { name: 'DELETE /invitations/:id', fn: invitationById.DELETE, method: 'DELETE', path: 'invitations', param: 'id', res: 'invitationId' },
    { name: 'DELETE /api-keys/:id', fn: apiKeyById.DELETE, method: 'DELETE', path: 'api-keys', param: 'id', res: 'apiKeyId' },
  ] as const;

  for (const r of idRoutes) {
    it(`${r.name} with B's id answers 404 and changes nothing`, async () => {
      const id = B[r.res];
      const res = await call(r.fn, req(r.method, `/api/v1/${r.path}/${id}`, { key: A.ownerKey, body: 'body' in r ? r.body : undefined }), { [r.param]: id });
      expect(res.status).toBe(404);
      expect(res.json.error).toEqual({ code: 'not_found', message: expect.stringMatching(/not found$/) });
    });
  }

  it('B’s resources are all still there, untouched', async () => {
    const db = await getDb();
    const [m] = await db
      .select()
      .from(schema.memberships)
      .where(and(eq(schema.memberships.userId, B.memberId), eq(schema.memberships.orgId, B.scope.orgId)));
    expect(m).toMatchObject({ orgId: B.scope.orgId, role: 'developer' });
    const [i] = await db.select().from(schema.invitations).where(eq(schema.invitations.id, B.invitationId));
    expect(i!.revokedAt).toBeNull();
    const [k] = await db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, B.apiKeyId));
    expect(k!.revokedAt).toBeNull();
  });

  it('list routes and GET /org show only the key’s own org', async () => {
    const asA = (path: string) => req('GET', `/api/v1/${path}`, { key: A.ownerKey });
    const org = await call(orgRoute.GET, asA('org'));
    expect(org.json).toMatchObject({ org: { id: A.scope.orgId, slug: A.scope.orgSlug }, role: 'owner' });
    const all = JSON.stringify([
      (await call(membersRoute.GET, asA('members'))).json,
      (await call(invitationsRoute.GET, asA('invitations'))).json,
      (await call(apiKeysRoute.GET, asA('api-keys'))).json,
      (await call(auditRoute.GET, asA('audit'))).json,
    ]);
    expect(all).toContain(A.memberId);
    expect(all).toContain(A.invitationId);
    expect(all).toContain(A.apiKeyId);
    for (const id of [B.scope.orgId, B.memberId, B.invitationId, B.apiKeyId]) expect(all).not.toContain(id);
  });

  it('PATCH /org with A’s key renames A, never B, whatever the body says', async () => {
    const res = await call(orgRoute.PATCH, req('PATCH', '/api/v1/org', { key: A.ownerKey, body: { name: 'Renamed A', id: B.scope.orgId } }));
    expect(res.status).toBe(400); // unknown field "id": strict schemas
    const ok = await call(orgRoute.PATCH, req('PATCH', '/api/v1/org', { key: A.ownerKey, body: { name: 'Renamed A' } }));
    expect(ok.json.org).toMatchObject({ id: A.scope.orgId, name: 'Renamed A' });
    const b = await call(orgRoute.GET, req('GET', '/api/v1/org', { key: B.ownerKey }));
    expect(b.json.org.name).toBe('Test org');
  });
});

describe('permissions: each role gets 403 exactly where the table says', () => {
  // The permission each route needs: the spec, written out here on purpose rather than read from the routes.
  const routes: Array<{ name: string; needs: Permission; send: (w: World, key: string) => Promise<{ status: number }> }> = [
    { name: 'GET /org', needs: 'org:read', send: (_w, key) => call(orgRoute.GET, req('GET', '/api/v1/org', { key })) },
    { name: 'PATCH /org', needs: 'org:update', send: (_w, key) => call(orgRoute.PATCH, req('PATCH', '/api/v1/org', { key, body: { name: 'Same' } })) },
    { name: 'DELETE /org', needs: 'org:delete', send: (_w, key) => call(orgRoute.DELETE, req('DELETE', '/api/v1/org', { key, body: { confirm: 'wrong' } })) },
    { name: 'GET /members', needs: 'members:read', send: (_w, key) => call(membersRoute.GET, req('GET', '/api/v1/members', { key })) },
    {
      name: 'PATCH /members/:id',
      needs: 'members:update',
      send: (w, key) => call(memberById.PATCH, req('PATCH', '/x', { key, body: { role: 'developer' } }), { userId: w.memberId }),
    },
    { name: 'DELETE /members/:id (someone else)', needs: 'members:remove', send: (_w, key) => call(memberById.DELETE, req('DELETE', '/x', { key }), { userId: 'nosuchuser' }) },
    { name: 'GET /invitations', needs: 'members:invite', send: (_w, key) => call(invitationsRoute.GET, req('GET', '/api/v1/invitations', { key })) },
    { name: 'POST /invitations', needs: 'members:invite', send: (_w, key) => call(invitationsRoute.POST, req('POST', '/x', { key, body: { role: 'viewer' } })) },
    { name: 'DELETE /invitations/:id', needs: 'members:invite', send: (_w, key) => call(invitationById.DELETE, req('DELETE', '/x', { key }), { id: 'nosuchinvitation' }) },
    { name: 'GET /api-keys', needs: 'api_keys:read', send: (_w, key) => call(apiKeysRoute.GET, req('GET', '/api/v1/api-keys', { key })) },
    { name: 'POST /api-keys', needs: 'api_keys:write', send: (_w, key) => call(apiKeysRoute.POST, req('POST', '/x', { key, body: { name: 'n', role: 'viewer' } })) },
    { name: 'DELETE /api-keys/:id', needs: 'api_keys:write', send: (_w, key) => call(apiKeyById.DELETE, req('DELETE', '/x', { key }), { id: 'nosuchkey' }) },
    { name: 'GET /audit', needs: 'audit:read', send: (_w, key) => call(auditRoute.GET, req('GET', '/api/v1/audit', { key })) },
  ];

  for (const role of ROLES) {
    it(`a ${role} key`, async () => {
      const key = await makeKey(A.scope, role);
      for (const r of routes) {
        const { status } = await r.send(A, key);
        if (can(role, r.needs)) expect(status, `${role} ${r.name}`).not.toBe(403);
        else expect(status, `${role} ${r.name}`).toBe(403);
      }
    });
  }

  it('a viewer key in particular cannot create keys, invite, change members or read the audit log', async () => {
    const key = await makeKey(A.scope, 'viewer' as Role);
    const res = await call(apiKeysRoute.POST, req('POST', '/x', { key, body: { name: 'sneaky', role: 'viewer' } }));
    expect(res).toMatchObject({ status: 403, json: { error: { code: 'forbidden', message: expect.stringMatching(/viewer/) } } });
    expect((await call(invitationsRoute.POST, req('POST', '/x', { key, body: { role: 'viewer' } }))).status).toBe(403);
    expect((await call(auditRoute.GET, req('GET', '/x', { key }))).status).toBe(403);
    expect((await call(membersRoute.GET, req('GET', '/x', { key }))).status).toBe(200);
  });

  it('no key, a garbage bearer, and a revoked key are 401', async () => {
    expect((await call(orgRoute.GET, req('GET', '/api/v1/org'))).status).toBe(401);
    expect((await call(orgRoute.GET, req('GET', '/api/v1/org', { headers: { authorization: 'Bearer nope' } }))).status).toBe(401);
    expect((await call(orgRoute.GET, req('GET', '/api/v1/org', { headers: { authorization: 'Basic abc' } }))).status).toBe(401);
    const k = await createApiKey(A.scope, { name: 'to revoke' });
    expect((await call(apiKeyById.DELETE, req('DELETE', '/x', { key: A.ownerKey }), { id: k.apiKey.id })).status).toBe(200);
    const res = await call(orgRoute.GET, req('GET', '/api/v1/org', { key: k.key }));
    expect(res).toMatchObject({ status: 401, json: { error: { code: 'unauthorized', message: 'Invalid or revoked API key' } } });
  });
});
