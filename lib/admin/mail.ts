import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { badRequest, notFound } from '@/lib/errors';
import { smtpSettings } from '@/lib/mail/config';
import type { MailStatus } from '@/lib/mail/send';

const { mailOutbox } = schema;

/**
 * The outbox for platform admins: every message Warren wrote, newest first. With no SMTP this
 * is where mail is read; with SMTP it is the delivery log (links holding tokens are cut from a
 * message once it is delivered or has failed for good).
 */
export type AdminMailView = {
  id: string;
  to: string;
  subject: string;
  kind: string;
  orgId: string | null;
  status: MailStatus;
  attempts: number;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
};
export type AdminMailDetail = AdminMailView & { text: string; html: string | null };

type Row = typeof mailOutbox.$inferSelect;
const toView = (r: Row): AdminMailView => ({
  id: r.id,
  to: r.to,
  subject: r.subject,
  kind: r.kind,
  orgId: r.orgId,
  status: r.status,
  attempts: r.attempts,
  error: r.error,
  createdAt: r.createdAt.toISOString(),
  sentAt: r.sentAt?.toISOString() ?? null,
  nextAttemptAt: r.status === 'queued' ? (r.nextAttemptAt?.toISOString() ?? null) : null,
});

// Full-precision timestamps in cursors: a JS Date would round to milliseconds and skip rows.
const createdAtText = sql<string>`to_char(${mailOutbox.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export async function listMailForAdmin(
  opts: { cursor?: string; limit?: number; status?: MailStatus } = {},
): Promise<{ mail: AdminMailView[]; nextCursor: string | null; delivery: { smtp: string | null } }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 100);
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const db = await getDb();
  const rows = await db
    .select({ m: mailOutbox, at: createdAtText })
    .from(mailOutbox)
    .where(
      and(
        opts.status ? eq(mailOutbox.status, opts.status) : undefined,
        after
          ? or(
              lt(mailOutbox.createdAt, sql`${after.at}::timestamptz`),
              and(eq(mailOutbox.createdAt, sql`${after.at}::timestamptz`), lt(mailOutbox.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    mail: page.map((r) => toView(r.m)),
    nextCursor: rows.length > limit && last ? Buffer.from(`${last.at}|${last.m.id}`).toString('base64url') : null,
    // host:port only: the URL's password never leaves the server.
    delivery: { smtp: smtpSettings()?.label ?? null },
  };
}

export async function getMailForAdmin(id: string): Promise<AdminMailDetail> {
  const db = await getDb();
  const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
  if (!row) throw notFound('Message');
  return { ...toView(row), text: row.text, html: row.html };
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) || !id || !/^[a-z0-9]{1,40}$/.test(id)) {
    throw badRequest('Invalid cursor');
  }
  return { at, id };
}
