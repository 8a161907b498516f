import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as adminOrgs } from '@/app/api/admin/orgs/route';
import { POST as accept } from '@/app/api/invitations/accept/route';
import { GET as preview } from '@/app/api/invitations/preview/route';
import * as orgsRoute from '@/app/api/orgs/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as invitationsRoute from '@/app/api/v1/invitations/route';
import * as memberById from '@/app/api/v1/members/[userId]/route';
import * as membersRoute from '@/app/api/v1/members/route';
import * as orgRoute from '@/app/api/v1/org/route';
import { closeDb, getDb, schema } from '@/db';
import { createOrg } from '@/lib/orgs/orgs';
import { call, makeKey, makeOrg, makeUser, req, uniq } from './helpers/fixtures';
import { signInAs } from './helpers/session';


afterAll(closeDb);
beforeEach(() => signInAs(null));

const asOrg = (slug: string, init: Parameters<typeof req>[2] = {}) => ({ ...init, headers: { 'x-warren-org': slug, ...init.headers } });

describe('console session routes', () => {
  it('GET/POST /api/orgs list and create the signed-in person’s orgs', async () => {
    expect((await call(orgsRoute.GET, req('GET', '/api/orgs'))).status).toBe(401);
    const u = await makeUser('Grace');
    signInAs(u);
    const slug = `team-${uniq()}`;
    const created = await call(orgsRoute.POST, req('POST', '/api/orgs', { body: { name: 'Team', slug } }));
    expect(created).toMatchObject({ status: 201, json: { org: { slug, name: 'Team', personal: false, role: 'owner' } } });
    const list = await call(orgsRoute.GET, req('GET', '/api/orgs'));
    expect(list.json.orgs).toEqual([
      { id: expect.any(String), slug: u.personalSlug, name: expect.stringMatching(/Grace/), personal: true, role: 'owner' },
      { id: created.json.org.id, slug, name: 'Team', personal: false, role: 'owner' },
    ]);
  });

  it('an API key cannot act as a person on user routes', async () => {
    const { scope } = await makeOrg();
    const res = await call(orgsRoute.POST, req('POST', '/api/orgs', { key: await makeKey(scope, 'owner'), body: { name: 'x' } }));
    expect(res.status).toBe(401);
  });

  it('x-warren-org scopes /api/v1 to a membership; a non-member or unknown slug is 404, never 403', async () => {
    const { owner, scope } = await makeOrg();
    signInAs(owner);
    const ok = await call(orgRoute.GET, req('GET', '/api/v1/org', asOrg(scope.orgSlug)));
    expect(ok.json).toMatchObject({ org: { slug: scope.orgSlug }, role: 'owner' });
    expect((await call(orgRoute.GET, req('GET', '/api/v1/org'))).status).toBe(400);

    const stranger = await makeUser();
    signInAs(stranger);
    for (const slug of [scope.orgSlug, `missing-${uniq()}`]) {
      const res = await call(membersRoute.GET, req('GET', '/api/v1/members', asOrg(slug)));
      expect(res).toMatchObject({ status: 404, json: { error: { code: 'not_found', message: 'Organization not found' } } });
    }
  });

  it('invite by link end to end: create, preview (public), accept, then the member can leave', async () => {
    const { owner, scope } = await makeOrg();
    signInAs(owner);
    const created = await call(invitationsRoute.POST, req('POST', '/x', asOrg(scope.orgSlug, { body: { role: 'developer', expiresInDays: 3 } })));
    expect(created.status).toBe(201);
    expect(created.json.url).toBe(`http://localhost:3000/invite/${created.json.token}`);
    expect(created.json.invitation).toMatchObject({ role: 'developer', email: null });

    signInAs(null);
    const pv = await call(preview, req('GET', `/api/invitations/preview?token=${created.json.token}`));
    expect(pv.json).toMatchObject({ org: { slug: scope.orgSlug, name: 'Test org' }, role: 'developer' });
    expect((await call(accept, req('POST', '/x', { body: { token: created.json.token } }))).status).toBe(401);

    const invitee = await makeUser();
    signInAs(invitee);
    const acc = await call(accept, req('POST', '/x', { body: { token: created.json.token } }));
    expect(acc.json).toEqual({ org: { slug: scope.orgSlug, name: 'Test org' }, role: 'developer', alreadyMember: false });
    const again = await call(accept, req('POST', '/x', { body: { token: created.json.token } }));
    expect(again.json).toMatchObject({ alreadyMember: true });

    const members = await call(membersRoute.GET, req('GET', '/x', asOrg(scope.orgSlug)));
    expect(members.json.members.map((m: { email: string }) => m.email)).toContain(invitee.email);
    const left = await call(memberById.DELETE, req('DELETE', '/x', asOrg(scope.orgSlug)), { userId: invitee.userId });
    expect(left.json).toEqual({ left: true });

    signInAs(owner);
    const audit = await call(auditRoute.GET, req('GET', '/api/v1/audit?limit=3', asOrg(scope.orgSlug)));
    expect(audit.json.events.map((e: { action: string }) => e.action)).toEqual(['member.leave', 'invitation.accept', 'invitation.create']);
    expect(audit.json.events[1].actor).toEqual({ type: 'user', label: invitee.email });
  });

  it('GET /api/admin/orgs is 404 for non-admins and lists orgs with member counts for admins', async () => {
    const u = await makeUser();
    signInAs(u);
    expect((await call(adminOrgs, req('GET', '/api/admin/orgs'))).status).toBe(404);
    const marker = `zz${uniq()}`;
    const org = await createOrg(u, { name: `Admin view ${marker}` });
    const db = await getDb();
    await db.insert(schema.memberships).values({ orgId: org.id, userId: (await makeUser()).userId, role: 'viewer' });
    await db.update(schema.users).set({ isPlatformAdmin: true }).where(eq(schema.users.id, u.userId));
    const res = await call(adminOrgs, req('GET', `/api/admin/orgs?q=${marker}`));
    expect(res.json).toEqual({ orgs: [expect.objectContaining({ slug: org.slug, memberCount: 2 })], nextCursor: null });
  });
});

describe('session cookies', () => {
  it('a session cookie sealed with another secret, or a garbled one, is not a session (401)', async () => {
    const { encode } = await import('next-auth/jwt');
    const owner = await makeUser();
    signInAs(null);
    const forged = await encode({ token: { sub: owner.userId }, secret: 'not-the-server-secret-0123456789', salt: 'authjs.session-token' });
    for (const cookie of [`authjs.session-token=${forged}`, 'authjs.session-token=garbage']) {
      const res = await call(orgsRoute.GET, req('GET', '/api/orgs', { headers: { cookie } }));
      expect(res.status).toBe(401);
    }
  });
});

describe('cross-site requests', () => {
  it('a cookie-authenticated body that is not JSON (a cross-site form or text/plain POST) is refused and changes nothing', async () => {
    const u = await makeUser();
    signInAs(u);
    const name = `Csrf ${uniq()}`;
    const res = await call(orgsRoute.POST, req('POST', '/api/orgs', { rawBody: JSON.stringify({ name }), headers: { 'content-type': 'text/plain' } }));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('application/json');
    const mine = await call(orgsRoute.GET, req('GET', '/api/orgs'));
    expect(mine.json.orgs.some((o: { name: string }) => o.name === name)).toBe(false);
    signInAs(null);
  });
});
