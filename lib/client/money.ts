/**
 * Money and metered quantities for the console. Amounts arrive as integer micro-dollars
 * (1,000,000 = $1) and are only ever formatted from those integers: no float arithmetic on money.
 *
 * A sandbox costs fractions of a cent per minute, so rounding everything to cents would show
 * "$0.00" for most real usage. The rule: a cent or more reads as dollars and cents; less than a
 * cent keeps two significant digits, cut rather than rounded so it never reads as a full cent
 * ("$0.00023"). The exact amount, to the micro-dollar, is always available for a tooltip.
 */
const MICROS_PER_CENT = 10_000;
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function split(micros: number): { sign: string; m: number } {
  return { sign: micros < 0 ? '-' : '', m: Math.abs(micros) };
}

/** "$1,234.567890": every micro-dollar, six decimals. */
export function exactMoney(micros: number): string {
  if (!Number.isSafeInteger(micros)) return '—';
  const { sign, m } = split(micros);
  return `${sign}$${grouped.format(Math.floor(m / 1e6))}.${String(m % 1e6).padStart(6, '0')}`;
}

/** "$12.35", "$0.01", "$0.00023", "$0.00": for people to read; pair it with `exactMoney`. */
export function formatMoney(micros: number): string {
  if (!Number.isSafeInteger(micros)) return '—';
  const { sign, m } = split(micros);
  if (m === 0) return '$0.00';
  if (m >= MICROS_PER_CENT) {
    const cents = Math.floor((m + MICROS_PER_CENT / 2) / MICROS_PER_CENT);
    return `${sign}$${grouped.format(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
  }
  const drop = 10 ** Math.max(0, String(m).length - 2);
  const kept = Math.floor(m / drop) * drop;
  return `${sign}$0.${String(kept).padStart(6, '0').replace(/0+$/, '')}`;
}

/** An axis tick: like `formatMoney`, but below a cent every digit counts (ticks such as 225 micro-dollars are exact). */
export function formatTick(micros: number): string {
  if (!Number.isSafeInteger(micros) || Math.abs(micros) >= MICROS_PER_CENT || micros === 0) return formatMoney(micros);
  return exactMoney(micros).replace(/0+$/, '');
}

/** Whether the readable form hides part of the amount (then show the exact one beside it). */
export function isRounded(micros: number): boolean {
  return formatMoney(micros) !== exactMoney(micros).replace(/0{1,4}$/, '');
}

/** Dollars per hour for a burn rate: "$0.059/h". */
export function formatRate(microsPerHour: number): string {
  return `${formatMoney(microsPerHour)}/h`;
}

const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const twoSignificant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });

/** Metered hours (vCPU-hours, GiB-hours): "1,234", "12.50", "0.0042", "0". Not money, so floats are fine. */
export function formatHours(n: number): string {
  if (!Number.isFinite(n) || n === 0) return '0';
  if (Math.abs(n) >= 100) return grouped.format(n);
  if (Math.abs(n) >= 1) return twoDecimals.format(n);
  return twoSignificant.format(n);
}

/** The month-end projection: month-to-date plus the current burn rate for the hours left. */
export function projectMonthEnd(monthToDateMicros: number, burnMicrosPerHour: number, now: Date): number {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const msLeft = Math.max(0, end - now.getTime());
  // BigInt: rate × milliseconds passes 2^53 for large rates; the result is whole micro-dollars.
  return monthToDateMicros + Number((BigInt(burnMicrosPerHour) * BigInt(msLeft)) / 3_600_000n);
}
