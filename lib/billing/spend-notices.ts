import { and, desc, eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { logger } from '@/lib/logger';
import { onSpendAlert, type SpendNotice } from './notify';
import { periodKey } from './period';
import type { Standing } from './standing';

const { billingNotices } = schema;

/**
 * Records the alert crossing and the limit being reached, once per org, month and threshold: the
 * unique key lets exactly one console insert each, and only that one audits it and calls
 * onSpendAlert (after the commit, so a mail never announces a notice that was rolled back).
 */
export async function recordSpendNotices(s: Standing, now = new Date()): Promise<SpendNotice[]> {
  const spent = s.balance.period.spentMicros;
  const due: SpendNotice[] = [];
  const key = periodKey(now);
  if (s.alertCrossed) due.push({ kind: 'spend_alert', periodKey: key, thresholdMicros: s.spendAlertMicros!, spentMicros: spent });
  if (s.limitReached) due.push({ kind: 'spend_limit', periodKey: key, thresholdMicros: s.spendLimitMicros!, spentMicros: spent });
  const recorded: SpendNotice[] = [];
  const db = await getDb();
  for (const n of due) {
    const won = await db.transaction(async (tx) => {
      const [row] = await tx.insert(billingNotices).values({ orgId: s.orgId, ...n }).onConflictDoNothing().returning({ id: billingNotices.id });
      if (!row) return false;
      const action = n.kind === 'spend_alert' ? 'billing.spend_alert' : 'billing.spend_limit_reached';
      await recordAudit(systemActor(s.orgId, 'billing'), action, { type: 'org', id: s.orgId }, { ...n }, tx);
      return true;
    });
    if (!won) continue;
    recorded.push(n);
    await onSpendAlert(s.orgId, n).catch((err) => logger.error({ err, orgId: s.orgId }, 'onSpendAlert failed'));
  }
  return recorded;
}

/** This month's notices of the org, newest first (for the billing view and the banner). */
export async function monthNotices(orgId: string, now = new Date()) {
  const db = await getDb();
  const rows = await db
    .select()
    .from(billingNotices)
    .where(and(eq(billingNotices.orgId, orgId), eq(billingNotices.periodKey, periodKey(now))))
    .orderBy(desc(billingNotices.createdAt));
  return rows.map((r) => ({ kind: r.kind, thresholdMicros: r.thresholdMicros, spentMicros: r.spentMicros, at: r.createdAt.toISOString() }));
}
