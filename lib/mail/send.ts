import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { z } from 'zod';
import { type DbOrTx, getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { email, text } from '@/lib/schemas/common';
import { smtpSettings } from './config';
import { deliver } from './transport';

const { mailOutbox } = schema;
const log = logger.child({ component: 'mail' });

/**
 * The one way to send mail. Every message gets an outbox row first: with no SMTP_URL that row
 * is the delivery (platform admins read it under /admin/mail); with SMTP it records the status
 * and holds the message until it is delivered, retrying in the background (lib/mail/sender.ts).
 */
export type MailStatus = 'outbox' | 'queued' | 'sent' | 'failed';
export type MailInput = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What the message is about, for the admin list: `invitation`, `password_reset`, `spend_alert`… */
  kind: string;
  orgId?: string | null;
  /** Strings (links holding tokens) to cut from the stored copy once delivered or failed for good. */
  redact?: string[];
};
export type MailResult = { id: string; status: MailStatus; error?: string };

const MailInputSchema = z.object({
  to: email,
  // A header: one line, whatever the caller built it from.
  subject: text(300).transform((s) => s.replace(/[\r\n\t]+/g, ' ').trim()),
  text: text(200_000),
  html: text(500_000).optional(),
  kind: z.string().regex(/^[a-z][a-z0-9_.-]{0,39}$/, 'kind: lowercase letters, digits, _ . -'),
  orgId: z.string().max(64).nullish(),
  redact: z.array(z.string().min(8).max(2000)).max(10).optional(),
});

/** After a failed attempt n (1-based), wait this long; after MAX_ATTEMPTS it has failed. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** How long an attempt in progress owns its row; after that (a crash) the sender takes it over. */
export const ATTEMPT_LEASE_MS = 5 * 60_000;

/**
 * Records the message and, with SMTP, makes its first attempt before returning, so the caller
 * can tell the person whether it went out. `sent`, `queued` (will be retried), `failed` (the
 * server refused it for good) or `outbox` (no SMTP configured).
 */
export async function sendMail(input: MailInput): Promise<MailResult> {
  const row = await insertMail(input);
  if (row.status === 'outbox') return { id: row.id, status: 'outbox' };
  return attemptDelivery(row.id);
}

/**
 * Records the message and attempts it in the background: the caller's answer must not depend
 * on the mail server (a password-reset request answers the same, as fast, for every address).
 */
export async function queueMail(input: MailInput): Promise<{ id: string; status: 'outbox' | 'queued' }> {
  const row = await insertMail(input);
  if (row.status === 'queued') {
    void attemptDelivery(row.id).catch((err) => log.error({ err, mailId: row.id }, 'mail attempt failed unexpectedly'));
  }
  return { id: row.id, status: row.status === 'outbox' ? 'outbox' : 'queued' };
}

/**
 * queueMail inside the caller's transaction: the message exists if and only if the caller's
 * change commits (a notice recorded once per event, whatever retries happen). Call `send()`
 * after the commit for the first attempt; if the process dies first, the sender loop takes the
 * row when its lease runs out.
 */
export async function queueMailInTx(tx: DbOrTx, input: MailInput): Promise<{ id: string; status: 'outbox' | 'queued'; send: () => void }> {
  const row = await insertMail(input, tx);
  const send = () => {
    if (row.status === 'queued') void attemptDelivery(row.id).catch((err) => log.error({ err, mailId: row.id }, 'mail attempt failed unexpectedly'));
  };
  return { id: row.id, status: row.status === 'outbox' ? 'outbox' : 'queued', send };
}

async function insertMail(input: MailInput, dbx?: DbOrTx) {
  const m = MailInputSchema.parse(input);
  const smtp = smtpSettings();
  const db = dbx ?? (await getDb());
  const [row] = await db
    .insert(mailOutbox)
    .values({
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html ?? null,
      kind: m.kind,
      orgId: m.orgId ?? null,
      status: smtp ? 'queued' : 'outbox',
      redact: smtp && m.redact?.length ? m.redact : null,
      // Leased to the attempt that follows at once; the sender loop takes it after a crash.
      nextAttemptAt: smtp ? new Date(Date.now() + ATTEMPT_LEASE_MS) : null,
    })
    .returning({ id: mailOutbox.id, status: mailOutbox.status });
  log.debug({ mailId: row!.id, kind: m.kind, status: row!.status }, 'mail recorded');
  return row!;
}

/** One SMTP attempt of a queued row this process has leased; records the outcome. */
export async function attemptDelivery(id: string): Promise<MailResult> {
  const db = await getDb();
  const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
  if (!row) throw new Error(`mail ${id} does not exist`);
  if (row.status !== 'queued') return { id, status: row.status, error: row.error ?? undefined };
  const smtp = smtpSettings();
  // SMTP_URL was removed since the row was queued: it waits for a console that has one.
  if (!smtp) return { id, status: 'queued', error: row.error ?? undefined };

  const result = await deliver(smtp, { to: row.to, subject: row.subject, text: row.text, html: row.html });
  const attempts = row.attempts + 1;
  const done = result.ok || result.permanent || attempts >= MAX_ATTEMPTS;
  const status: MailStatus = result.ok ? 'sent' : done ? 'failed' : 'queued';
  const error = result.ok ? null : result.error;
  await db
    .update(mailOutbox)
    .set({
      status,
      attempts,
      error,
      sentAt: result.ok ? new Date() : null,
      nextAttemptAt: done ? null : new Date(Date.now() + RETRY_DELAYS_MS[attempts - 1]!),
      ...(done && row.redact?.length ? redacted(row.text, row.html, row.redact) : {}),
    })
    .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'queued')));
  if (result.ok) log.info({ mailId: id, kind: row.kind, attempts }, 'mail sent');
  else log.warn({ mailId: id, kind: row.kind, attempts, status, error }, 'mail not delivered');
  return { id, status, ...(error ? { error } : {}) };
}

const REDACTED = '[link removed after delivery]';

function redacted(text: string, html: string | null, secrets: string[]) {
  const cut = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), s);
  // In HTML the link appears attribute-escaped too (& as &amp;).
  const cutHtml = (s: string) => cut(secrets.reduce((acc, secret) => acc.split(secret.replaceAll('&', '&amp;')).join(REDACTED), s));
  return { text: cut(text), html: html === null ? null : cutHtml(html), redact: null };
}

/**
 * Rows whose time has come (retries, and attempts a crashed process left), leased to the caller.
 * SKIP LOCKED: several console processes may run the sender; each row goes to one of them.
 */
export async function claimDueMail(limit = 10): Promise<string[]> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'queued'), lte(mailOutbox.nextAttemptAt, new Date())))
      .orderBy(asc(mailOutbox.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    const ids = due.map((r) => r.id);
    await tx
      .update(mailOutbox)
      .set({ nextAttemptAt: new Date(Date.now() + ATTEMPT_LEASE_MS) })
      .where(inArray(mailOutbox.id, ids));
    return ids;
  });
}
