import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as accept } from '@/app/api/invitations/accept/route';
import * as invitationsRoute from '@/app/api/v1/invitations/route';
import { closeDb, getDb, schema } from '@/db';
import { previewInvitation } from '@/lib/invitations/invitations';
import { createOrg } from '@/lib/orgs/orgs';
import { call, makeKey, makeOrg, makeUser, req, uniq } from './helpers/fixtures';
import { linkIn } from './helpers/mime';
import { type SmtpSink, startSmtpServer } from './helpers/smtp-server';
import { signInAs } from './helpers/session';

/** Invitations e-mailed through a real SMTP server on loopback, as the invitee receives them. */
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

const invite = (slug: string, body: Record<string, unknown>, key?: string) =>
  call(invitationsRoute.POST, req('POST', '/api/v1/invitations', { key, headers: { 'x-warren-org': slug }, body }));
const outboxRow = async (to: string) => {
  const db = await getDb();
  return (await db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.to, to)))[0]!;
};

describe('invitations by e-mail', () => {
  it('mails the invitee the link, which works; the stored copy keeps no working link', async () => {
    const { owner, scope } = await makeOrg();
    const db = await getDb();
    await db.update(schema.users).set({ name: 'Ada Lovelace' }).where(eq(schema.users.id, owner.userId));
    signInAs(owner);
    const invitee = await makeUser();
    const created = await invite(scope.orgSlug, { role: 'developer', email: invitee.email });
    expect(created.status).toBe(201);
    expect(created.json.mail).toEqual({ status: 'sent' });

    const mail = await smtp.waitFor(invitee.email);
    expect(mail.subject).toBe('Ada Lovelace invited you to Test org on Warren');
    expect(mail.text).toContain('Ada Lovelace invited you to join Test org on Warren as a developer.');
    const link = linkIn(mail, '/invite/');
    expect(link).toBe(created.json.url);
    expect(mail.html).toContain(`href="${link}"`);
    const token = link.split('/invite/')[1]!;
    expect(await previewInvitation(token)).toMatchObject({ org: { slug: scope.orgSlug }, role: 'developer', email: invitee.email });

    signInAs(invitee);
    const accepted = await call(accept, req('POST', '/api/invitations/accept', { body: { token } }));
    expect(accepted.json).toMatchObject({ org: { slug: scope.orgSlug }, role: 'developer', alreadyMember: false });

    const row = await outboxRow(invitee.email);
    expect(row).toMatchObject({ kind: 'invitation', orgId: scope.orgId, status: 'sent', attempts: 1, redact: null });
    expect(`${row.text}${row.html}`).not.toContain(token);
    expect(row.text).toContain('[link removed after delivery]');
  });

  it('sends nothing for a link without an address', async () => {
    const { owner, scope } = await makeOrg();
    signInAs(owner);
    const before = smtp.received.length;
    const created = await invite(scope.orgSlug, { role: 'viewer' });
    expect(created).toMatchObject({ status: 201, json: { mail: null, invitation: { email: null } } });
    expect(smtp.received.length).toBe(before);
  });

  it('escapes names people chose: an OAuth display name with markup, an org name with & and quotes', async () => {
    const owner = await makeUser();
    // GitHub and Google names reach users.name through the Auth.js adapter, past our name rules.
    const db = await getDb();
    await db
      .update(schema.users)
      .set({ name: '<img src=x onerror=alert(1)> "Bob"\r\nBcc: spy@evil.example' })
      .where(eq(schema.users.id, owner.userId));
    const org = await createOrg(owner, { name: "Tom & Jerry's Lab", slug: `tj-${uniq()}` });
    signInAs(owner);
    const to = `invitee-${uniq()}@test.example`;
    const created = await invite(org.slug, { role: 'viewer', email: to });
    expect(created.json.mail).toEqual({ status: 'sent' });

    const mail = await smtp.waitFor(to);
    expect(mail.to).toEqual([to]);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.subject).toBe(`<img src=x onerror=alert(1)> "Bob" Bcc: spy@evil.example invited you to Tom & Jerry's Lab on Warren`);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('<strong>&lt;img src=x onerror=alert(1)&gt; &quot;Bob&quot; Bcc: spy@evil.example</strong> invited you');
    expect(mail.html).toContain('<strong>Tom &amp; Jerry&#39;s Lab</strong>');
  });

  it('an API key invites on behalf of the org; a mail server that is down leaves the mail queued', async () => {
    const { scope } = await makeOrg();
    const key = await makeKey(scope, 'admin');
    const to = `bot-invitee-${uniq()}@test.example`;
    const created = await invite(scope.orgSlug, { role: 'developer', email: to }, key);
    expect(created.json.mail).toEqual({ status: 'sent' });
    expect((await smtp.waitFor(to)).subject).toBe('You are invited to Test org on Warren');

    const down = await startSmtpServer();
    const url = down.url;
    await down.close();
    process.env.SMTP_URL = url;
    try {
      const later = `later-${uniq()}@test.example`;
      const queued = await invite(scope.orgSlug, { role: 'developer', email: later }, key);
      expect(queued).toMatchObject({ status: 201, json: { mail: { status: 'queued' }, url: expect.stringContaining('/invite/') } });
      const row = await outboxRow(later);
      expect(row).toMatchObject({ status: 'queued', attempts: 1, error: expect.stringMatching(/ECONNREFUSED/) });
      // Still deliverable later, so the link is kept until then.
      expect(row.text).toContain(queued.json.url);
    } finally {
      process.env.SMTP_URL = smtp.url;
    }
  });
});
