import { sql } from 'drizzle-orm';
import type { Db } from '@/db';

/**
 * Subscription revenue (plan prices paid through Stripe) is the Stripe integration's to record,
 * on another branch. This reads its `invoices` table only if it exists and has the columns
 * assumed here (`paid_at timestamptz`, `amount_paid_micros bigint`); otherwise the revenue page
 * says why there is no figure rather than showing a zero that would read as "no revenue".
 */
export type SubscriptionRevenue =
  | { available: true; totalMicros: number; byDay: Record<string, number> }
  | { available: false; reason: string };

export async function subscriptionRevenue(db: Db, from: Date, to: Date): Promise<SubscriptionRevenue> {
  const found = await db.execute(sql`select to_regclass('public.invoices')::text as t`);
  if (!rowsOf<{ t: string | null }>(found)[0]?.t) {
    return { available: false, reason: 'No invoices table yet: subscription revenue arrives with the Stripe integration. Figures here are metered usage only.' };
  }
  const cols = rowsOf<{ c: string }>(
    await db.execute(sql`select column_name as c from information_schema.columns where table_schema = 'public' and table_name = 'invoices'`),
  ).map((r) => r.c);
  if (!cols.includes('paid_at') || !cols.includes('amount_paid_micros')) {
    return { available: false, reason: 'The invoices table has no paid_at and amount_paid_micros columns, which this page reads; subscription revenue is not shown.' };
  }
  const rows = rowsOf<{ day: string; micros: string }>(
    await db.execute(
      sql`select to_char(paid_at at time zone 'UTC', 'YYYY-MM-DD') as day, sum(amount_paid_micros)::text as micros
          from invoices where paid_at >= ${from.toISOString()}::timestamptz and paid_at < ${to.toISOString()}::timestamptz group by 1`,
    ),
  );
  const byDay = Object.fromEntries(rows.map((r) => [r.day, Number(r.micros)]));
  return { available: true, totalMicros: Object.values(byDay).reduce((s, n) => s + n, 0), byDay };
}

// postgres.js answers execute() with an array of rows, PGlite with { rows }.
function rowsOf<T>(res: unknown): T[] {
  return Array.isArray(res) ? (res as T[]) : ((res as { rows?: T[] }).rows ?? []);
}
