import { and, eq, inArray } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { env } from '@/lib/env';
import { logger } from '@/lib/logger';
import { queueMail } from '@/lib/mail/send';
import { spendMail } from '@/lib/mail/templates';
import { usd } from './money';

const log = logger.child({ component: 'billing' });
const { orgs, memberships, users } = schema;

export type SpendNotice = {
  kind: 'spend_alert' | 'spend_limit';
  /** The month, `2026-12`. */
  periodKey: string;
  thresholdMicros: number;
  spentMicros: number;
};

/**
 * Called exactly once per org, month and threshold when the org's spend crosses its alert
 * threshold or reaches its spend limit (lib/billing/spend-notices.ts guarantees the once, across
 * consoles): e-mails the org's owners and billing members (queued, so the enforcer never waits
 * on a mail server; without SMTP they land in the outbox). Never throws for a failed mail: the
 * notice is already recorded and audited.
 */
export async function onSpendAlert(orgId: string, notice: SpendNotice): Promise<void> {
  const spent = usd(notice.spentMicros);
  const threshold = usd(notice.thresholdMicros);
  log.info({ orgId, ...notice }, `${notice.kind === 'spend_limit' ? 'spend limit reached' : 'spend alert crossed'}: ${spent} of ${threshold} in ${notice.periodKey}`);
  const db = await getDb();
  const [org] = await db.select({ name: orgs.name, slug: orgs.slug }).from(orgs).where(eq(orgs.id, orgId));
  if (!org) return;
  const to = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), inArray(memberships.role, ['owner', 'billing'])));
  const mail = spendMail({ orgName: org.name, kind: notice.kind, spent, threshold, month: notice.periodKey, url: `${env().publicUrl}/${org.slug}/billing` });
  for (const { email } of to) {
    await queueMail({ to: email, ...mail, kind: notice.kind, orgId }).catch((err) => log.warn({ err, orgId }, 'could not queue a spend e-mail'));
  }
}
