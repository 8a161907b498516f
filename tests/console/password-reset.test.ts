import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as confirmRoute } from '@/app/api/password-reset/confirm/route';
import { POST as requestRoute } from '@/app/api/password-reset/route';
import * as orgsRoute from '@/app/api/orgs/route';
import { closeDb, getDb, schema } from '@/db';
import { requestPasswordReset, resetTokenState } from '@/lib/users/password-reset';
import { signInWithPassword } from '@/lib/users/sign-in';
import { call, makeUser, PASSWORD, req, uniq } from './helpers/fixtures';
import { linkIn } from './helpers/mime';
import { sessionCookieFor, signInAs } from './helpers/session';
import { type SmtpSink, startSmtpServer } from './helpers/smtp-server';

/**
 * "Forgot password" end to end through the route handlers and a real SMTP server on loopback:
 * the mail, the link, single use, expiry, replacement by a later request, the same answer for
 * unknown addresses, rate limits, and every older session ending.
 */
let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
});
beforeEach(() => signInAs(null));
afterAll(async () => {
  await smtp.close();
  await closeDb();
});

const ask = (email: string, ip?: string) =>
  call(requestRoute, req('POST', '/api/password-reset', { body: { email }, headers: ip ? { 'x-forwarded-for': ip } : {} }));
const confirm = (token: string, password: string) => call(confirmRoute, req('POST', '/api/password-reset/confirm', { body: { token, password } }));
const tokenFrom = async (email: string, nth = 1) => {
  await smtp.waitFor(email, () => smtp.to(email).length >= nth);
  return linkIn(smtp.to(email)[nth - 1]!, '/reset-password/').split('/reset-password/')[1]!;
};
const orgsWithCookie = (cookie: string) => call(orgsRoute.GET, req('GET', '/api/orgs', { headers: { cookie } }));

describe('password reset by e-mail', () => {
  it('request → mail → new password; old sessions and the old password stop working; the link works once', async () => {
    const user = await makeUser();
    const oldSession = await sessionCookieFor(user);
    expect((await orgsWithCookie(oldSession)).status).toBe(200);
    // Locked out by failed guesses: the reset lifts it.
    for (let i = 0; i < 5; i++) await signInWithPassword({ email: user.email, password: `guess-${i}` }).catch(() => {});

    const asked = await ask(user.email.toUpperCase());
    expect(asked.status).toBe(202);
    expect(asked.json.message).toBe(`If an account uses ${user.email}, we sent it a link to choose a new password. The link works for 30 minutes.`);
    const mail = await smtp.waitFor(user.email);
    expect(mail.subject).toBe('Reset your Warren password');
    const link = linkIn(mail, '/reset-password/');
    expect(link).toMatch(/^http:\/\/localhost:3000\/reset-password\/[\w-]{43}$/);
    const token = link.split('/reset-password/')[1]!;

    // Stored hashed; the outbox copy loses the link once delivered.
    const db = await getDb();
    const [stored] = await db.select().from(schema.passwordResetTokens).where(eq(schema.passwordResetTokens.userId, user.userId));
    expect(stored!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    await expect.poll(async () => (await db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.to, user.email)))[0]?.text).not.toContain(token);
    expect(await resetTokenState(token)).toBe('valid');

    expect((await confirm(token, 'short')).json.error).toMatchObject({ code: 'validation_failed', message: 'password: At least 8 characters' });
    expect(await confirm(token, 'my new password 2')).toEqual({ status: 200, json: { ok: true } });

    expect((await orgsWithCookie(oldSession)).status).toBe(401);
    expect((await orgsWithCookie(await sessionCookieFor(user))).status).toBe(200);
    await expect(signInWithPassword({ email: user.email, password: PASSWORD })).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(signInWithPassword({ email: user.email, password: 'my new password 2' })).resolves.toMatchObject({ id: user.userId });

    const again = await confirm(token, 'a third password');
    expect(again).toMatchObject({ status: 404, json: { error: { message: 'This reset link is not valid or was already used. Ask for a new one.' } } });
    expect(await resetTokenState(token)).toBe('invalid');
    const audit = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.targetId, user.userId));
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['user.password_reset_request', 'user.password_reset']));
  });

  it('refuses an expired link and keeps the old password', async () => {
    const user = await makeUser();
    await ask(user.email);
    const token = await tokenFrom(user.email);
    const db = await getDb();
    await db.update(schema.passwordResetTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(schema.passwordResetTokens.userId, user.userId));
    expect(await resetTokenState(token)).toBe('expired');
    const res = await confirm(token, 'too late password');
    expect(res).toMatchObject({ status: 409, json: { error: { message: expect.stringMatching(/expired/) } } });
    await expect(signInWithPassword({ email: user.email, password: PASSWORD })).resolves.toMatchObject({ id: user.userId });
  });

  it('a later request replaces the earlier link', async () => {
    const user = await makeUser();
    await ask(user.email);
    const first = await tokenFrom(user.email, 1);
    await ask(user.email);
    const second = await tokenFrom(user.email, 2);
    expect(second).not.toBe(first);
    expect((await confirm(first, 'first link password')).status).toBe(404);
    expect((await confirm(second, 'second link password')).status).toBe(200);
  });

  it('answers an unknown address exactly as a known one, and sends nothing', async () => {
    const known = await makeUser();
    const unknown = `nobody-${uniq()}@test.example`;
    const a = await ask(known.email);
    const b = await ask(unknown);
    expect(b.status).toBe(a.status);
    expect(b.json.message.replace(unknown, '<email>')).toBe(a.json.message.replace(known.email, '<email>'));

    const { settled } = await requestPasswordReset({ email: unknown, ip: null });
    await settled;
    await smtp.waitFor(known.email);
    const db = await getDb();
    expect(await db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.to, unknown))).toEqual([]);
    expect(smtp.to(unknown)).toEqual([]);
  });

  it('limits requests per address and per client address, whether or not the account exists', async () => {
    const email = `limited-${uniq()}@test.example`;
    for (let i = 0; i < 5; i++) expect((await ask(email)).status).toBe(202);
    const sixth = await ask(email);
    expect(sixth).toMatchObject({ status: 429, json: { error: { code: 'rate_limited', message: expect.stringMatching(/Too many password reset requests. Try again in \d+ minutes/) } } });

    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const tag = uniq();
    for (let i = 0; i < 20; i++) expect((await ask(`walk-${tag}-${i}@test.example`, ip)).status).toBe(202);
    expect((await ask(`walk-${tag}-20@test.example`, ip)).status).toBe(429);
    expect((await ask(`walk-${tag}-20@test.example`, '203.0.113.7')).status).toBe(202);
  });
});
