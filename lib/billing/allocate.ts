import { floorHour } from './period';

/**
 * How usage consumes credit, as a pure function of the ledger and the metered cost per hour.
 *
 * - A grant can pay for an hour of usage when the hour starts no earlier than the hour the grant
 *   took effect in, and before the grant expires (`expiresAt` null: never).
 * - Each hour's cost, oldest hour first, is taken from the grants that can pay for it, the
 *   earliest-expiring first (never-expiring last; ties: the older grant, then the id), so credit
 *   about to lapse is used before credit that would last.
 * - What no grant can pay is `uncoveredMicros`: invoiced when the org has a payment method,
 *   otherwise the reason its sandboxes were stopped. A later grant does not pay for earlier
 *   hours; it pays from the hour it takes effect.
 * - The balance is what is left of the grants that have taken effect and not expired at `now`.
 *
 * All integers (micro-dollars); the same ledger and usage always give the same answer.
 */
export type Grant = { id: string; amountMicros: number; effectiveAt: Date; expiresAt: Date | null };
export type HourCost = { hour: Date; costMicros: number };
export type Allocation = {
  remaining: Map<string, number>;
  uncoveredMicros: number;
  /** What no grant could pay, per hour (epoch ms of the hour → micro-dollars): what Stripe invoices. */
  uncoveredByHour: Map<number, number>;
  balanceMicros: number;
  /** Per hour (epoch ms): how much of its cost credit paid (the admin's revenue page sums these). */
  covered: Map<number, number>;
};

const order = (a: Grant, b: Grant) =>
  (a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) - (b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) ||
  a.effectiveAt.getTime() - b.effectiveAt.getTime() ||
  a.id.localeCompare(b.id);

export function allocate(grants: Grant[], hours: HourCost[], now: Date): Allocation {
  const sorted = [...grants].sort(order);
  const remaining = new Map(sorted.map((g) => [g.id, Math.max(0, g.amountMicros)]));
  let uncovered = 0;
  const byHour = new Map<number, number>();
  const covered = new Map<number, number>();
  for (const h of [...hours].sort((a, b) => a.hour.getTime() - b.hour.getTime())) {
    let cost = h.costMicros;
    for (const g of sorted) {
      if (cost <= 0) break;
      if (!canPay(g, h.hour)) continue;
      const left = remaining.get(g.id)!;
      const take = Math.min(left, cost);
      remaining.set(g.id, left - take);
      cost -= take;
    }
    uncovered += Math.max(0, cost);
    if (cost > 0) byHour.set(h.hour.getTime(), (byHour.get(h.hour.getTime()) ?? 0) + cost);
    covered.set(h.hour.getTime(), (covered.get(h.hour.getTime()) ?? 0) + h.costMicros - Math.max(0, cost));
  }
  let balance = 0;
  for (const g of sorted) if (isActive(g, now)) balance += remaining.get(g.id)!;
  return { remaining, uncoveredMicros: uncovered, uncoveredByHour: byHour, balanceMicros: balance, covered };
}

export const canPay = (g: Grant, hour: Date) => hour >= floorHour(g.effectiveAt) && (g.expiresAt === null || hour < g.expiresAt);
export const isActive = (g: Grant, now: Date) => g.effectiveAt <= now && (g.expiresAt === null || g.expiresAt > now);

/**
 * The grants and the first hour of usage that decide the balance at `now`. Start from the
 * grants still active; any grant that could pay for an hour since the earliest of them also
 * shares that usage, so its whole life counts too: widen until nothing more overlaps. Usage
 * before that hour was paid (or not) by grants that have all expired without touching these.
 */
export function relevantWindow(grants: Grant[], now: Date): { from: Date | null; grants: Grant[] } {
  let picked = grants.filter((g) => isActive(g, now));
  if (picked.length === 0) return { from: null, grants: [] };
  let from = Math.min(...picked.map((g) => floorHour(g.effectiveAt).getTime()));
  for (;;) {
    const next = grants.filter((g) => g.effectiveAt <= now && (g.expiresAt === null || g.expiresAt.getTime() > from));
    const nextFrom = Math.min(...next.map((g) => floorHour(g.effectiveAt).getTime()));
    if (next.length === picked.length && nextFrom === from) return { from: new Date(from), grants: next };
    picked = next;
    from = Math.min(from, nextFrom);
  }
}
