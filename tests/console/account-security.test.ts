import { eq } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as passwordRoute } from '@/app/api/account/password/route';
import { DELETE as endOneRoute } from '@/app/api/account/sessions/[id]/route';
import * as sessionsRoute from '@/app/api/account/sessions/route';
import { POST as confirmRoute } from '@/app/api/account/two-factor/confirm/route';
import { POST as recoveryRoute } from '@/app/api/account/two-factor/recovery-codes/route';
import * as twoFactorRoute from '@/app/api/account/two-factor/route';
import * as orgSecurityRoute from '@/app/api/org-security/route';
import * as orgsRoute from '@/app/api/orgs/route';
import * as sandboxesRoute from '@/app/api/v1/sandboxes/route';
import { closeDb, getDb, schema } from '@/db';
import { verifySecondFactor } from '@/lib/account/two-factor';
import { signInWithPassword } from '@/lib/users/sign-in';
import { addMember, call, makeKey, makeOrg, makeUser, PASSWORD, req } from './helpers/fixtures';
import { newSession, signInAs } from './helpers/session';

/**
 * Account settings through the route handlers with real session cookies: changing the password,
 * the sessions list and signing out elsewhere, TOTP two-factor (codes computed with otpauth as
 * an authenticator app would), and an org that requires two-factor of its members.
 */
afterAll(closeDb);
beforeEach(() => signInAs(null));

const withCookie = (cookie: string, method: string, path: string, body?: unknown) => req(method, path, { headers: { cookie }, body });
const orgsWith = async (cookie: string) => (await call(orgsRoute.GET, withCookie(cookie, 'GET', '/api/orgs'))).status;

async function enableTwoFactor(cookie: string) {
  const setup = await call(twoFactorRoute.POST, withCookie(cookie, 'POST', '/api/account/two-factor'));
  expect(setup.status).toBe(200);
  const totp = OTPAuth.URI.parse(setup.json.otpauthUri) as OTPAuth.TOTP;
  const confirmed = await call(confirmRoute, withCookie(cookie, 'POST', '/api/account/two-factor/confirm', { code: totp.generate() }));
  expect(confirmed.status).toBe(200);
  return { totp, secret: setup.json.secret as string, recoveryCodes: confirmed.json.recoveryCodes as string[] };
}

describe('account: password and sessions', () => {
  it('changing the password needs the current one, keeps this session and ends every other', async () => {
    const u = await makeUser();
    const here = await newSession(u, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120');
    const elsewhere = await newSession(u, 'Mozilla/5.0 (iPhone) Safari/604');
    const wrong = await call(passwordRoute, withCookie(here.cookie, 'POST', '/api/account/password', { currentPassword: 'not it', newPassword: 'a new password 1' }));
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toBe('The current password is not right');
    expect(await orgsWith(elsewhere.cookie)).toBe(200); // nothing changed
    await expect(signInWithPassword({ email: u.email, password: 'a new password 1' })).rejects.toThrow('Wrong e-mail or password');

    const short = await call(passwordRoute, withCookie(here.cookie, 'POST', '/api/account/password', { currentPassword: PASSWORD, newPassword: 'short' }));
    expect(short.status).toBe(400);

    const ok = await call(passwordRoute, withCookie(here.cookie, 'POST', '/api/account/password', { currentPassword: PASSWORD, newPassword: 'a new password 1' }));
    expect(ok).toMatchObject({ status: 200, json: { endedSessions: 1 } });
    expect(await orgsWith(here.cookie)).toBe(200);
    expect(await orgsWith(elsewhere.cookie)).toBe(401);
    await expect(signInWithPassword({ email: u.email, password: PASSWORD })).rejects.toThrow('Wrong e-mail or password');
    expect((await signInWithPassword({ email: u.email, password: 'a new password 1' })).id).toBe(u.userId);
  });

  it('lists sessions, ends one, then signs out everywhere else; another person’s session is a 404', async () => {
    const u = await makeUser();
    const other = await makeUser();
    const here = await newSession(u, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120');
    const phone = await newSession(u, 'Mozilla/5.0 (iPhone) Safari/604');
    const laptop = await newSession(u, 'Mozilla/5.0 (Macintosh; Mac OS X) Firefox/120');
    const theirs = await newSession(other);

    const list = await call(sessionsRoute.GET, withCookie(here.cookie, 'GET', '/api/account/sessions'));
    expect(list.status).toBe(200);
    expect(list.json.sessions.map((s: { id: string }) => s.id).sort()).toEqual([here.sid, phone.sid, laptop.sid].sort());
    expect(list.json.sessions.find((s: { current: boolean }) => s.current).id).toBe(here.sid);

    expect((await call(endOneRoute, withCookie(here.cookie, 'DELETE', `/api/account/sessions/${theirs.sid}`), { id: theirs.sid })).status).toBe(404);
    expect(await orgsWith(theirs.cookie)).toBe(200);

    expect((await call(endOneRoute, withCookie(here.cookie, 'DELETE', `/api/account/sessions/${phone.sid}`), { id: phone.sid })).status).toBe(200);
    expect(await orgsWith(phone.cookie)).toBe(401);
    expect(await orgsWith(laptop.cookie)).toBe(200);

    const rest = await call(sessionsRoute.DELETE, withCookie(here.cookie, 'DELETE', '/api/account/sessions'));
    expect(rest).toMatchObject({ status: 200, json: { ended: 1 } });
    expect(await orgsWith(laptop.cookie)).toBe(401);
    expect(await orgsWith(here.cookie)).toBe(200);
    expect(await orgsWith(theirs.cookie)).toBe(200);
  });
});

describe('account: two-factor', () => {
  it('setup with a QR code; the secret is sealed at rest; codes work once; recovery codes are hashed and single-use', async () => {
    const u = await makeUser();
    const { cookie } = await newSession(u);
    const setup = await call(twoFactorRoute.POST, withCookie(cookie, 'POST', '/api/account/two-factor'));
    expect(setup.json.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(setup.json.otpauthUri).toMatch(/^otpauth:\/\/totp\/Warren:/);
    const bad = await call(confirmRoute, withCookie(cookie, 'POST', '/api/account/two-factor/confirm', { code: '000000' }));
    expect(bad.status).toBe(400);
    expect((await call(twoFactorRoute.GET, withCookie(cookie, 'GET', '/api/account/two-factor'))).json.enabled).toBe(false);

    const totp = OTPAuth.URI.parse(setup.json.otpauthUri) as OTPAuth.TOTP;
    const first = totp.generate();
    const confirmed = await call(confirmRoute, withCookie(cookie, 'POST', '/api/account/two-factor/confirm', { code: first }));
    expect(confirmed.status).toBe(200);
    const codes: string[] = confirmed.json.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await call(twoFactorRoute.GET, withCookie(cookie, 'GET', '/api/account/two-factor'))).json).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    const db = await getDb();
    const [row] = await db.select().from(schema.users).where(eq(schema.users.id, u.userId));
    expect(row!.totpSecret).not.toContain(setup.json.secret);
    expect(row!.totpPendingSecret).toBeNull();
    const stored = await db.select().from(schema.recoveryCodes).where(eq(schema.recoveryCodes.userId, u.userId));
    expect(stored.map((r) => r.codeHash).join()).not.toContain(codes[0]!.replace('-', ''));

    // The code that confirmed setup cannot be replayed (same 30 s step).
    await expect(verifySecondFactor(u.userId, u.email, first)).rejects.toThrow('not valid');
    await expect(verifySecondFactor(u.userId, u.email, codes[0]!.toUpperCase())).resolves.toBeUndefined();
    await expect(verifySecondFactor(u.userId, u.email, codes[0]!)).rejects.toThrow('not valid');

    const fresh = await call(recoveryRoute, withCookie(cookie, 'POST', '/api/account/two-factor/recovery-codes', { code: codes[1] }));
    expect(fresh.json.recoveryCodes).toHaveLength(10);
    await expect(verifySecondFactor(u.userId, u.email, codes[2]!)).rejects.toThrow('not valid'); // the old set is gone

    const off = await call(twoFactorRoute.DELETE, withCookie(cookie, 'DELETE', '/api/account/two-factor', { code: fresh.json.recoveryCodes[0] }));
    expect(off).toMatchObject({ status: 200, json: { enabled: false } });
  });

  it('wrong codes are rate limited: after five, even the right code waits', async () => {
    const u = await makeUser();
    const { cookie } = await newSession(u);
    const { totp } = await enableTwoFactor(cookie);
    for (let i = 0; i < 5; i++) await expect(verifySecondFactor(u.userId, u.email, '000000')).rejects.toThrow('not valid');
    await expect(verifySecondFactor(u.userId, u.email, totp.generate({ timestamp: Date.now() + 30_000 }))).rejects.toThrow(/Too many wrong codes/);
  });

  it('an org can require two-factor: the owner needs it first, members without it are refused, API keys are not', async () => {
    const { owner, scope } = await makeOrg();
    const ownerSession = await newSession(owner);
    const { user: member } = await addMember(scope, 'developer');
    const memberSession = await newSession(member);
    const asOrg = (cookie: string, method: string, path: string, body?: unknown) =>
      req(method, path, { headers: { cookie, 'x-warren-org': scope.orgSlug }, body });

    const early = await call(orgSecurityRoute.PATCH, asOrg(ownerSession.cookie, 'PATCH', '/api/org-security', { requireTwoFactor: true }));
    expect(early.status).toBe(409);
    expect(early.json.error.message).toMatch(/your own account first/);
    const byMember = await call(orgSecurityRoute.PATCH, asOrg(memberSession.cookie, 'PATCH', '/api/org-security', { requireTwoFactor: true }));
    expect(byMember.status).toBe(403);

    await enableTwoFactor(ownerSession.cookie);
    const on = await call(orgSecurityRoute.PATCH, asOrg(ownerSession.cookie, 'PATCH', '/api/org-security', { requireTwoFactor: true }));
    expect(on).toMatchObject({ status: 200, json: { requireTwoFactor: true } });

    const refused = await call(sandboxesRoute.GET, asOrg(memberSession.cookie, 'GET', '/api/v1/sandboxes'));
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('two_factor_required');
    expect((await call(sandboxesRoute.GET, asOrg(ownerSession.cookie, 'GET', '/api/v1/sandboxes'))).status).toBe(200);
    const key = await makeKey(scope, 'developer');
    expect((await call(sandboxesRoute.GET, req('GET', '/api/v1/sandboxes', { key }))).status).toBe(200);

    await enableTwoFactor(memberSession.cookie);
    expect((await call(sandboxesRoute.GET, asOrg(memberSession.cookie, 'GET', '/api/v1/sandboxes'))).status).toBe(200);
  });
});
