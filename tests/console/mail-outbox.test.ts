import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as getMail } from '@/app/api/admin/mail/[id]/route';
import { GET as listMail } from '@/app/api/admin/mail/route';
import * as invitationsRoute from '@/app/api/v1/invitations/route';
import { closeDb, getDb, schema } from '@/db';
import type { UserScope } from '@/lib/auth/scope';
import { sendMail } from '@/lib/mail/send';
import { requestPasswordReset, resetPassword } from '@/lib/users/password-reset';
import { signInWithPassword } from '@/lib/users/sign-in';
import { call, makeOrg, makeUser, req, uniq } from './helpers/fixtures';
import { signInAs } from './helpers/session';

/**
 * No SMTP_URL (a self-hoster without mail): messages are kept in the outbox, which platform
 * admins read through /api/admin/mail; links in it work.
 */
afterAll(closeDb);
beforeEach(() => {
  delete process.env.SMTP_URL;
  signInAs(null);
});

async function makeAdmin(): Promise<UserScope> {
  const u = await makeUser();
  const db = await getDb();
  await db.update(schema.users).set({ isPlatformAdmin: true }).where(eq(schema.users.id, u.userId));
  return { ...u, isPlatformAdmin: true };
}
type Listed = { id: string; to: string; subject: string; kind: string; status: string; attempts: number };

describe('the outbox without SMTP', () => {
  it('keeps an invitation mail, link included, and says so to the inviter', async () => {
    const { owner, scope } = await makeOrg();
    signInAs(owner);
    const to = `outbox-${uniq()}@test.example`;
    const created = await call(invitationsRoute.POST, req('POST', '/x', { headers: { 'x-warren-org': scope.orgSlug }, body: { role: 'viewer', email: to } }));
    expect(created).toMatchObject({ status: 201, json: { mail: { status: 'outbox' } } });

    signInAs(await makeAdmin());
    const list = await call(listMail, req('GET', '/api/admin/mail?status=outbox&limit=100'));
    expect(list.json.delivery).toEqual({ smtp: null });
    const row = (list.json.mail as Listed[]).find((m) => m.to === to);
    expect(row).toMatchObject({ kind: 'invitation', status: 'outbox', attempts: 0, subject: expect.stringContaining('Test org') });
    const one = await call(getMail, req('GET', `/api/admin/mail/${row!.id}`), { id: row!.id });
    expect(one.json.mail.text).toContain(created.json.url);
    expect(one.json.mail.html).toContain(created.json.url);
  });

  it('keeps a reset link that works when the admin passes it on', async () => {
    const user = await makeUser();
    const { settled } = await requestPasswordReset({ email: user.email, ip: null });
    await settled;
    const db = await getDb();
    const [row] = await db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.to, user.email));
    expect(row).toMatchObject({ kind: 'password_reset', status: 'outbox', subject: 'Reset your Warren password' });
    const token = /\/reset-password\/([\w-]+)/.exec(row!.text)![1]!;
    await resetPassword({ token, password: 'a brand new password' });
    await expect(signInWithPassword({ email: user.email, password: 'a brand new password' })).resolves.toMatchObject({ id: user.userId });
  });

  it('lists newest first in pages; one message opens with its bodies; a status filter', async () => {
    const tag = uniq();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await sendMail({ to: `page-${tag}@test.example`, subject: `Page test ${i}`, text: `Body ${i}`, kind: 'test' })).id);
    }
    signInAs(await makeAdmin());
    // Other test files write mail at the same time, so walk the pages and look at ours only.
    const seen: Listed[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `&cursor=${cursor}` : '';
      const page = await call(listMail, req('GET', `/api/admin/mail?limit=2${qs}`));
      expect(page.status).toBe(200);
      expect(page.json.mail.length).toBeLessThanOrEqual(2);
      seen.push(...(page.json.mail as Listed[]));
      cursor = page.json.nextCursor;
      pages += 1;
    } while (cursor && seen.filter((m) => ids.includes(m.id)).length < 5 && pages < 500);
    const ours = seen.filter((m) => ids.includes(m.id));
    expect(ours.map((m) => m.subject)).toEqual(['Page test 4', 'Page test 3', 'Page test 2', 'Page test 1', 'Page test 0']);
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);

    const one = await call(getMail, req('GET', `/api/admin/mail/${ids[2]}`), { id: ids[2]! });
    expect(one.json.mail).toMatchObject({ subject: 'Page test 2', text: 'Body 2', html: null, status: 'outbox', kind: 'test' });
    const sent = await call(listMail, req('GET', '/api/admin/mail?status=sent&limit=100'));
    expect((sent.json.mail as Listed[]).some((m) => ids.includes(m.id))).toBe(false);
    expect((await call(getMail, req('GET', '/api/admin/mail/nosuchmail'), { id: 'nosuchmail' })).status).toBe(404);
    expect((await call(listMail, req('GET', '/api/admin/mail?cursor=bad'))).status).toBe(400);
  });

  it('is a 404 for everyone but platform admins (401 signed out)', async () => {
    const { id } = await sendMail({ to: `secret-${uniq()}@test.example`, subject: 'Private', text: 'x', kind: 'test' });
    expect((await call(listMail, req('GET', '/api/admin/mail'))).status).toBe(401);
    signInAs(await makeUser());
    expect((await call(listMail, req('GET', '/api/admin/mail'))).status).toBe(404);
    expect((await call(getMail, req('GET', `/api/admin/mail/${id}`), { id })).status).toBe(404);
  });

  it('refuses a message it cannot send: a bad address, an unknown kind format', async () => {
    await expect(sendMail({ to: 'not an address', subject: 'x', text: 'x', kind: 'test' })).rejects.toThrow(/valid e-mail/);
    await expect(sendMail({ to: 'a@b.example', subject: 'x', text: 'x', kind: 'Bad Kind' })).rejects.toThrow(/kind/);
  });
});
