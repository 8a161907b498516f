import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { floorHour, HOUR_MS } from '@/lib/billing/period';
import { closedUntil, hoursBetween, uncoveredByHour } from './meter-hours';

const { orgs, stripeMeterReports, stripeSubscriptions } = schema;

/** Stripe takes meter events up to 35 days old; Warren looks back 34, so every report it plans can still land. */
export const LOOKBACK_MS = 34 * 24 * HOUR_MS;

/**
 * The meter event's identifier: the org, the hour and the report's sequence number, so the same
 * report always carries the same identifier and Stripe counts it once however often it is sent.
 * `wrn-<org>-<yyyymmddhh>-<seq>` (well under Stripe's 100 characters).
 */
export function meterIdentifier(orgId: string, hour: Date, seq: number): string {
  const h = hour.toISOString().slice(0, 13).replace(/[-T]/g, '');
  return `wrn-${orgId}-${h}-${seq}`;
}

/**
 * Writes the reports the org's closed hours still need, as `pending` rows with their values
 * fixed (lib/stripe/meter-send.ts sends them). For each closed hour in which a subscription with
 * the usage price was live: its uncovered cost minus what was already reported for it. The first
 * report of an hour is seq 0; usage that reached an hour after it was reported (a runner that was
 * down, its journal read later) becomes a correction, seq 1, 2…, of the difference. A decrease is
 * never sent (it cannot happen: closed costs only grow). One console plans an org at a time.
 */
export async function planMeterReports(orgId: string, now: Date, settleMs: number): Promise<number> {
  const db = await getDb();
  const [org] = await db.select({ customer: orgs.stripeCustomerId }).from(orgs).where(eq(orgs.id, orgId));
  if (!org?.customer) return 0;
  const subs = await db
    .select({ startedAt: stripeSubscriptions.startedAt, endedAt: stripeSubscriptions.endedAt })
    .from(stripeSubscriptions)
    .where(and(eq(stripeSubscriptions.orgId, orgId), eq(stripeSubscriptions.metered, true)));
  if (subs.length === 0) return 0;
  const firstStart = Math.min(...subs.map((s) => floorHour(s.startedAt).getTime()));
  const from = new Date(Math.max(firstStart, floorHour(new Date(now.getTime() - LOOKBACK_MS)).getTime()));
  const to = await closedUntil(orgId, now, settleMs);
  if (from >= to) return 0;
  const billable = (h: number) => subs.some((s) => h < (s.endedAt?.getTime() ?? Number.POSITIVE_INFINITY) && h + HOUR_MS > s.startedAt.getTime());
  const uncovered = await uncoveredByHour(orgId, from, to, now);

  return db.transaction(async (tx) => {
    const res = await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${`warren:stripe-meter:${orgId}`}, 0)) as locked`);
    // postgres.js answers rows, PGlite { rows }.
    const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<{ locked: boolean }>;
    if (!rows[0]?.locked) return 0; // another console is planning this org right now
    const done = await tx
      .select({ hour: stripeMeterReports.hour, seq: stripeMeterReports.seq, value: stripeMeterReports.valueMicros })
      .from(stripeMeterReports)
      .where(and(eq(stripeMeterReports.orgId, orgId), gte(stripeMeterReports.hour, from), lt(stripeMeterReports.hour, to)));
    let written = 0;
    for (const h of hoursBetween(from, to)) {
      const owed = uncovered.get(h) ?? 0;
      if (owed <= 0 || !billable(h)) continue;
      const mine = done.filter((d) => d.hour.getTime() === h);
      const reported = mine.reduce((s, d) => s + d.value, 0);
      if (owed <= reported) continue;
      const seq = mine.length ? Math.max(...mine.map((d) => d.seq)) + 1 : 0;
      const hour = new Date(h);
      await tx.insert(stripeMeterReports).values({
        orgId,
        hour,
        seq,
        identifier: meterIdentifier(orgId, hour, seq),
        customerId: org.customer!,
        valueMicros: owed - reported,
        status: 'pending',
        nextAttemptAt: now,
      });
      written += 1;
    }
    return written;
  });
}

/** Orgs the reporter looks at: those with a metered subscription that was live within the look-back. */
export async function meteredOrgs(now: Date): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .selectDistinct({ orgId: stripeSubscriptions.orgId })
    .from(stripeSubscriptions)
    .where(and(eq(stripeSubscriptions.metered, true), sql`coalesce(${stripeSubscriptions.endedAt}, 'infinity'::timestamptz) > ${new Date(now.getTime() - LOOKBACK_MS).toISOString()}::timestamptz`));
  return rows.map((r) => r.orgId);
}
