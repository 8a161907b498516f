/**
 * The billing period is the calendar month in UTC (the usage API's months are UTC too). Monthly
 * credits, the spend limit and the alert all count per period.
 */
export const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
export const nextMonthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
/** `2026-12`: the key of the month `d` falls in. */
export const periodKey = (d: Date) => monthStart(d).toISOString().slice(0, 7);

export const HOUR_MS = 3_600_000;
export const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
