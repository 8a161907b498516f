import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { logger } from '@/lib/logger';
import { isPermanentStripeError, stripeClient, stripeErrorSummary } from './client';
import { requireStripe } from './config';

const { stripeMeterReports } = schema;
const log = logger.child({ component: 'stripe-meter' });

/** After failed attempt n (1-based) wait this long; past the list, an hour each time. */
export const REPORT_RETRY_MS = [30_000, 120_000, 600_000, 1_800_000];
const retryDelay = (attempts: number) => REPORT_RETRY_MS[attempts - 1] ?? 3_600_000;
/** How long an attempt owns its row: a console that dies mid-send leaves it to the next pass after this. */
export const REPORT_LEASE_MS = 120_000;
/** Stripe's own limit on a meter event's timestamp (35 days), less an hour of margin. */
const TOO_OLD_MS = 35 * 24 * 3_600_000 - 3_600_000;

export type SendResult = { reported: number; retrying: number; failed: number };

/**
 * Sends the due `pending` reports (lib/stripe/meter-plan.ts wrote them) as Stripe meter events,
 * oldest hour first. Each row is leased first (`FOR UPDATE SKIP LOCKED`: several consoles never
 * send the same row at once), sent with its fixed identifier, value and hour, and then marked
 * `reported`. A crash between Stripe's answer and the mark leaves the row pending: the next pass
 * sends the same identifier again (and the same Idempotency-Key), and Stripe counts it once.
 * A passing failure is retried with back-off; a refusal (4xx) is `failed`, audited and logged.
 */
export async function sendDueReports(now = new Date(), limit = 50, orgIds?: string[]): Promise<SendResult> {
  const settings = requireStripe();
  const db = await getDb();
  const due = await db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(stripeMeterReports)
      .where(
        and(
          eq(stripeMeterReports.status, 'pending'),
          lte(stripeMeterReports.nextAttemptAt, now),
          orgIds ? inArray(stripeMeterReports.orgId, orgIds) : undefined,
        ),
      )
      .orderBy(asc(stripeMeterReports.hour), asc(stripeMeterReports.seq))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (rows.length) {
      await tx
        .update(stripeMeterReports)
        .set({ nextAttemptAt: new Date(now.getTime() + REPORT_LEASE_MS) })
        .where(inArray(stripeMeterReports.identifier, rows.map((r) => r.identifier)));
    }
    return rows;
  });

  const out: SendResult = { reported: 0, retrying: 0, failed: 0 };
  for (const r of due) {
    const key = eq(stripeMeterReports.identifier, r.identifier);
    if (now.getTime() - r.hour.getTime() > TOO_OLD_MS) {
      await fail(r.orgId, r.identifier, 'older than Stripe accepts (35 days)');
      out.failed += 1;
      continue;
    }
    try {
      stripeFaultPoint('before-meter-report');
      await stripeClient(settings).billing.meterEvents.create(
        {
          event_name: settings.meterEventName,
          identifier: r.identifier,
          timestamp: Math.floor(r.hour.getTime() / 1000),
          payload: { stripe_customer_id: r.customerId, value: String(r.valueMicros) },
        },
        { idempotencyKey: r.identifier },
      );
      stripeFaultPoint('after-meter-report');
      await db
        .update(stripeMeterReports)
        .set({ status: 'reported', reportedAt: new Date(), attempts: r.attempts + 1, nextAttemptAt: null, lastError: null })
        .where(and(key, eq(stripeMeterReports.status, 'pending')));
      out.reported += 1;
    } catch (err) {
      const summary = stripeErrorSummary(err);
      if (isPermanentStripeError(err)) {
        await fail(r.orgId, r.identifier, summary.message, r.attempts + 1);
        out.failed += 1;
      } else {
        const attempts = r.attempts + 1;
        await db
          .update(stripeMeterReports)
          .set({ attempts, lastError: summary.message, nextAttemptAt: new Date(now.getTime() + retryDelay(attempts)) })
          .where(and(key, eq(stripeMeterReports.status, 'pending')));
        log.warn({ identifier: r.identifier, attempts, stripe: summary }, 'meter event not accepted; will retry');
        out.retrying += 1;
      }
    }
  }
  return out;

  async function fail(orgId: string, identifier: string, reason: string, attempts?: number) {
    const [row] = await db
      .update(stripeMeterReports)
      .set({ status: 'failed', lastError: reason, nextAttemptAt: null, ...(attempts ? { attempts } : {}) })
      .where(and(eq(stripeMeterReports.identifier, identifier), eq(stripeMeterReports.status, 'pending')))
      .returning();
    if (!row) return;
    log.error({ identifier, orgId, reason }, 'meter event refused for good; this usage is not invoiced');
    await recordAudit(systemActor(orgId, 'stripe'), 'billing.meter_report_failed', { type: 'meter_report', id: identifier }, {
      hour: row.hour.toISOString(),
      valueMicros: row.valueMicros,
      reason,
    });
  }
}

/**
 * Test-only crash points, like the runner's (runner/sandbox/fault-point.ts): with
 * `WARREN_STRIPE_FAULT=<point>` the process kills itself with SIGKILL (no cleanup, exactly like
 * `kill -9`) when it reaches that point: `before-meter-report` (planned, not sent) or
 * `after-meter-report` (Stripe answered, not recorded). Armed only when NODE_ENV is also `test`.
 */
function stripeFaultPoint(name: string): void {
  if (process.env.NODE_ENV === 'test' && process.env.WARREN_STRIPE_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
