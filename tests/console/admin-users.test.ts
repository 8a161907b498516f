import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as disable from '@/app/api/admin/users/[id]/disable/route';
import * as enable from '@/app/api/admin/users/[id]/enable/route';
import * as userOne from '@/app/api/admin/users/[id]/route';
import * as users from '@/app/api/admin/users/route';
import * as orgRoute from '@/app/api/v1/org/route';
import { getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { signInWithPassword } from '@/lib/users/sign-in';
import { adminCall, auditOf } from './helpers/admin';
import { makePlatformAdmin } from './helpers/billing';
import { call, makeKey, makeOrg, PASSWORD, req, uniq } from './helpers/fixtures';
import { usePrivateDb } from './helpers/private-db';
import { sessionCookieFor } from './helpers/session';

/** Users as platform admins manage them, in a database of this file's own: the admin rules count every admin there is. */
let drop: () => Promise<void>;
let admin: UserScope;
beforeAll(async () => {
  drop = await usePrivateDb('users');
  admin = await makePlatformAdmin();
});
afterAll(() => drop());

const patch = (who: UserScope, id: string, body: unknown) => adminCall(who, userOne.PATCH, 'PATCH', `/api/admin/users/${id}`, { id }, body);
const disableAs = (who: UserScope, id: string, body: unknown) => adminCall(who, disable.POST, 'POST', `/api/admin/users/${id}/disable`, { id }, body);
const rowOf = async (id: string) => (await (await getDb()).select().from(schema.users).where(eq(schema.users.id, id)))[0]!;

describe('the platform admin flag', () => {
  it('is granted and revoked, audited; never your own', async () => {
    const { owner } = await makeOrg();
    const granted = await patch(admin, owner.userId, { isPlatformAdmin: true });
    expect(granted).toMatchObject({ status: 200, json: { user: { id: owner.userId, isPlatformAdmin: true } } });
    expect((await auditOf('admin.grant', owner.userId))[0]).toMatchObject({ actorId: admin.userId, orgId: null });

    expect(await patch(admin, admin.userId, { isPlatformAdmin: false })).toMatchObject({ status: 409, json: { error: { message: expect.stringMatching(/your own/) } } });
    const revoked = await patch(admin, owner.userId, { isPlatformAdmin: false });
    expect(revoked.json.user.isPlatformAdmin).toBe(false);
    expect((await auditOf('admin.revoke', owner.userId))[0]).toMatchObject({ actorId: admin.userId });

    // `admin` is now the only one: a second admin may not take it away, nor disable it.
    const other = await makePlatformAdmin();
    expect((await patch(other, admin.userId, { isPlatformAdmin: false })).status).toBe(200);
    expect(await patch(admin, other.userId, { isPlatformAdmin: false })).toMatchObject({ status: 404 }); // admin is no longer one
    expect(await patch(other, other.userId, { isPlatformAdmin: false })).toMatchObject({ status: 409 });
    expect(await disableAs(other, other.userId, { reason: 'x' })).toMatchObject({ status: 409 });
    expect((await patch(other, admin.userId, { isPlatformAdmin: true })).status).toBe(200);
  });

  // The "last admin" rule matters when two admins act at once: each alone sees someone else left.
  for (const [what, act] of [
    ['revoking', (by: UserScope, of: UserScope) => patch(by, of.userId, { isPlatformAdmin: false })],
    ['disabling', (by: UserScope, of: UserScope) => disableAs(by, of.userId, { reason: 'race' })],
  ] as const) {
    it(`two admins ${what} each other at once: one wins, one admin remains`, async () => {
      const [a, b] = await Promise.all([makePlatformAdmin(), makePlatformAdmin()]);
      const db = await getDb();
      const enabledAdmins = async () =>
        (await db.select().from(schema.users).where(eq(schema.users.isPlatformAdmin, true))).filter((u) => !u.disabledAt);
      // Only `a` and `b` may be admins for this to mean anything: step everyone else down.
      const others = (await enabledAdmins()).filter((u) => u.id !== a.userId && u.id !== b.userId);
      for (const u of others) await db.update(schema.users).set({ isPlatformAdmin: false }).where(eq(schema.users.id, u.id));
      try {
        const results = await Promise.all([act(a, b), act(b, a)]);
        // The loser is refused by the last-admin rule (409), or, when the winner committed before
        // the loser's request was authenticated, as what it now is: disabled (401) or no longer
        // an admin (404). Never both through.
        const [won, lost] = results.map((r) => r.status).sort();
        expect(won).toBe(200);
        expect([401, 404, 409]).toContain(lost);
        expect(await enabledAdmins()).toHaveLength(1);
      } finally {
        for (const u of others) await db.update(schema.users).set({ isPlatformAdmin: true }).where(eq(schema.users.id, u.id));
      }
    });
  }

  it('refuses bad bodies with a 400 and changes nothing', async () => {
    const { owner } = await makeOrg();
    for (const body of [{}, { isPlatformAdmin: 'yes' }, { isPlatformAdmin: 1 }, { isPlatformAdmin: true, role: 'x' }, null]) {
      expect((await patch(admin, owner.userId, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await rowOf(owner.userId)).isPlatformAdmin).toBe(false);
  });
});

describe('disabling a user', () => {
  it('ends their sessions, refuses their sign-in and their API keys; enabling restores keys and sign-in, not old sessions', async () => {
    const { owner, scope } = await makeOrg();
    const key = await makeKey(scope, 'owner');
    const cookie = await sessionCookieFor(owner);
    const asSession = (c: string) => call(orgRoute.GET, req('GET', '/api/v1/org', { headers: { cookie: c, 'x-warren-org': scope.orgSlug } }));
    const asKey = () => call(orgRoute.GET, req('GET', '/api/v1/org', { key }));
    expect((await asSession(cookie)).status).toBe(200);
    expect((await asKey()).status).toBe(200);

    const res = await disableAs(admin, owner.userId, { reason: 'chargeback' });
    expect(res).toMatchObject({ status: 200, json: { user: { disabledReason: 'chargeback', activeApiKeys: 1 } } });
    expect((await asSession(cookie)).status).toBe(401);
    expect(await asKey()).toMatchObject({ status: 401, json: { error: { message: expect.stringMatching(/disabled/) } } });
    await expect(signInWithPassword({ email: owner.email, password: PASSWORD })).rejects.toMatchObject({ message: expect.stringMatching(/disabled/) });
    expect((await auditOf('user.disable', owner.userId))[0]).toMatchObject({ actorId: admin.userId, data: { reason: 'chargeback' } });
    expect((await disableAs(admin, owner.userId, { reason: 'again' })).status).toBe(409);

    const back = await adminCall(admin, enable.POST, 'POST', `/api/admin/users/${owner.userId}/enable`, { id: owner.userId });
    expect(back).toMatchObject({ status: 200, json: { user: { disabledAt: null } } });
    expect((await asKey()).status).toBe(200);
    expect((await asSession(cookie)).status).toBe(401); // the old session stays over
    expect((await asSession(await sessionCookieFor(owner))).status).toBe(200);
    await expect(signInWithPassword({ email: owner.email, password: PASSWORD })).resolves.toMatchObject({ id: owner.userId });
    expect((await auditOf('user.enable', owner.userId))[0]).toMatchObject({ actorId: admin.userId });
  });

  it('never yourself; a bad reason is a 400 and nothing changes', async () => {
    expect(await disableAs(admin, admin.userId, { reason: 'oops' })).toMatchObject({ status: 409, json: { error: { message: expect.stringMatching(/own account/) } } });
    const { owner } = await makeOrg();
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 5 }, { reason: 'a\u0000b' }, { reason: 'x'.repeat(501) }, { reason: 'ok', until: 1 }]) {
      expect((await disableAs(admin, owner.userId, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await rowOf(owner.userId)).disabledAt).toBeNull();
  });
});

describe('GET /api/admin/users', () => {
  it('searches by e-mail or name, filters admins and disabled accounts, and pages', async () => {
    const tag = `find${uniq()}`;
    const made = [];
    for (let i = 0; i < 3; i++) {
      const { owner } = await makeOrg();
      await (await getDb()).update(schema.users).set({ name: `${tag} person ${i}` }).where(eq(schema.users.id, owner.userId));
      made.push(owner);
    }
    await disableAs(admin, made[0]!.userId, { reason: 'test' });
    const list = (q: string) => adminCall(admin, users.GET, 'GET', `/api/admin/users?${q}`);
    const all = await list(`q=${tag}`);
    expect(all.json.users.map((u: { id: string }) => u.id)).toEqual([made[2]!.userId, made[1]!.userId, made[0]!.userId]);
    expect(all.json.users[0]).toMatchObject({ orgCount: 2, isPlatformAdmin: false, disabledAt: null });
    expect((await list(`q=${made[1]!.email.toUpperCase()}`)).json.users.map((u: { id: string }) => u.id)).toEqual([made[1]!.userId]);
    expect((await list(`q=${tag}&filter=disabled`)).json.users).toEqual([expect.objectContaining({ id: made[0]!.userId, disabledReason: 'test' })]);
    expect((await list('filter=admins')).json.users.every((u: { isPlatformAdmin: boolean }) => u.isPlatformAdmin)).toBe(true);
    const p1 = await list(`q=${tag}&limit=2`);
    const p2 = await list(`q=${tag}&limit=2&cursor=${p1.json.nextCursor}`);
    expect([...p1.json.users, ...p2.json.users].map((u: { id: string }) => u.id)).toEqual(all.json.users.map((u: { id: string }) => u.id));
    expect(p2.json.nextCursor).toBeNull();
    for (const bad of ['limit=0', 'limit=101', 'filter=everyone', 'cursor=bm9wZQ', 'zzz=1', `q=${'x'.repeat(101)}`]) {
      expect((await list(bad)).status, bad).toBe(400);
    }
  });
});
