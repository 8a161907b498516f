import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { POST as signUp } from '@/app/api/signup/route';
import { closeDb, getDb, schema } from '@/db';
import { isAppError } from '@/lib/errors';
import { listOrgsForUser } from '@/lib/orgs/orgs';
import { verifyPassword } from '@/lib/users/password';
import { checkSignInAllowed, signUpLimitPerHour } from '@/lib/users/rate-limit';
import { signInWithPassword } from '@/lib/users/sign-in';
import { createUserWithPersonalOrg, ensurePersonalOrg, findUserByEmail } from '@/lib/users/users';
import { call, PASSWORD, req, uniq } from './helpers/fixtures';

afterAll(closeDb);

describe('users', () => {
  it('creates a user with a lower-cased e-mail, an argon2id hash and a personal org they own', async () => {
    const email = `  Mixed-${uniq()}@Test.Example `;
    const { user, org } = await createUserWithPersonalOrg({ email, password: PASSWORD, name: 'Ada Lovelace' });
    expect(user.email).toBe(email.trim().toLowerCase());
    const row = await findUserByEmail(email);
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain(PASSWORD);
    expect(await verifyPassword(row?.passwordHash, PASSWORD)).toBe(true);
    expect(await verifyPassword(row?.passwordHash, 'wrong password')).toBe(false);
    const orgs = await listOrgsForUser(user.id);
    expect(orgs).toEqual([expect.objectContaining({ slug: org.slug, personal: true, role: 'owner' })]);
    expect(org.slug).toMatch(/^ada-lovelace/);
  });

  it('refuses a second account with the same e-mail, whatever its case', async () => {
    const email = `dup-${uniq()}@test.example`;
    await createUserWithPersonalOrg({ email, password: PASSWORD });
    await expect(createUserWithPersonalOrg({ email: email.toUpperCase(), password: PASSWORD })).rejects.toMatchObject({
      code: 'conflict',
      message: 'An account with this e-mail already exists',
    });
  });

  it('gives a user without any org (OAuth sign-up) a personal org exactly once', async () => {
    const db = await getDb();
    const [u] = await db.insert(schema.users).values({ email: `oauth-${uniq()}@test.example`, name: 'O Auth' }).returning();
    const first = await ensurePersonalOrg(u!.id);
    expect(first?.slug).toBeTruthy();
    expect(await ensurePersonalOrg(u!.id)).toBeNull();
    expect(await listOrgsForUser(u!.id)).toHaveLength(1);
  });
});

describe('sign-in', () => {
  it('signs in with the right password, refuses a wrong one with one message for unknown and known e-mails', async () => {
    const { user } = await createUserWithPersonalOrg({ email: `si-${uniq()}@test.example`, password: PASSWORD });
    expect((await signInWithPassword({ email: user.email.toUpperCase(), password: PASSWORD })).id).toBe(user.id);
    await expect(signInWithPassword({ email: user.email, password: 'nope-nope' })).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'Wrong e-mail or password',
    });
    await expect(signInWithPassword({ email: `ghost-${uniq()}@test.example`, password: 'nope-nope' })).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'Wrong e-mail or password',
    });
  });

  it('locks an e-mail after 5 failures in 15 minutes, with a message that says when to retry', async () => {
    const { user } = await createUserWithPersonalOrg({ email: `rl-${uniq()}@test.example`, password: PASSWORD });
    const ip = `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 5; i++) {
      await expect(signInWithPassword({ email: user.email, password: 'bad-password', ip })).rejects.toMatchObject({ code: 'unauthorized' });
    }
    // Even the right password is refused now: the limit is checked before the password.
    const err = await signInWithPassword({ email: user.email, password: PASSWORD, ip }).catch((e) => e);
    expect(isAppError(err) && err.code).toBe('rate_limited');
    expect(err.message).toMatch(/Too many failed sign-in attempts\. Try again in (1[0-5]|[1-9]) minutes?\./);
    expect(err.details.retryAfterSeconds).toBeGreaterThan(800);
    // Another account from another address is unaffected.
    await expect(checkSignInAllowed(`other-${uniq()}@test.example`, '10.9.9.9')).resolves.toBeUndefined();
  });

  it('limits one address to 20 failures across e-mails', async () => {
    const ip = `10.2.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 20; i++) {
      await signInWithPassword({ email: `spray-${i}-${uniq()}@test.example`, password: 'x-x-x-x-x', ip }).catch(() => {});
    }
    await expect(checkSignInAllowed(`fresh-${uniq()}@test.example`, ip)).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('POST /api/signup', () => {
  const ip = () => ({ 'x-forwarded-for': `10.3.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });

  it('creates the account and answers 201 with the personal org slug', async () => {
    const email = `su-${uniq()}@test.example`;
    const res = await call(signUp, req('POST', '/api/signup', { body: { email, password: PASSWORD, name: 'Sign Up' }, headers: ip() }));
    expect(res.status).toBe(201);
    expect(res.json.user).toEqual({ id: expect.any(String), email, name: 'Sign Up' });
    expect(res.json.org.slug).toMatch(/^sign-up/);
    const again = await call(signUp, req('POST', '/api/signup', { body: { email, password: PASSWORD }, headers: ip() }));
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'conflict' } } });
  });

  it('rejects short passwords and bad e-mails with 400 and stores nothing', async () => {
    const email = `bad-${uniq()}@test.example`;
    const short = await call(signUp, req('POST', '/api/signup', { body: { email, password: 'short' }, headers: ip() }));
    expect(short).toMatchObject({ status: 400, json: { error: { code: 'validation_failed' } } });
    expect(short.json.error.message).toMatch(/^password: /);
    const bad = await call(signUp, req('POST', '/api/signup', { body: { email: 'not-an-email', password: PASSWORD }, headers: ip() }));
    expect(bad.status).toBe(400);
    expect(await findUserByEmail(email)).toBeUndefined();
  });

  it('allows a limited number of sign-ups per address per hour', async () => {
    const headers = ip();
    expect(signUpLimitPerHour()).toBe(30);
    for (let i = 0; i < 30; i++) {
      const r = await call(signUp, req('POST', '/api/signup', { body: { email: `many-${i}-${uniq()}@test.example`, password: PASSWORD }, headers }));
      expect(r.status).toBe(201);
    }
    const email = `one-too-many-${uniq()}@test.example`;
    const r = await call(signUp, req('POST', '/api/signup', { body: { email, password: PASSWORD }, headers }));
    expect(r).toMatchObject({ status: 429, json: { error: { code: 'rate_limited' } } });
    expect(r.json.error.message).toMatch(/Try again in/);
    const db = await getDb();
    expect(await db.select().from(schema.users).where(eq(schema.users.email, email))).toHaveLength(0);
  });
});
