/**
 * Integer micro-dollars as people read them: at least cents, more digits only when they are
 * not zero ($5.00, $0.0012, $1,234.50). Exact: no floating point touches the amount.
 */
export function usd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = BigInt(Math.abs(Math.trunc(micros)));
  const dollars = (abs / 1_000_000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${dollars}.${frac}`;
}

/** "12.5" (dollars, as typed in a form) → micro-dollars, or null when it is not an amount. */
export function parseUsd(text: string): number | null {
  const m = /^\s*\$?\s*(\d{1,10})(?:\.(\d{0,6}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}
