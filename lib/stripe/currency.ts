/**
 * Stripe states amounts in the currency's smallest unit (cents for USD, yen for JPY, fils for
 * KWD). Warren keeps money as integer micro-units (1,000,000 = one unit of the currency), so an
 * amount is scaled by 10^(6 − exponent), exactly, with integers only. The exponents are
 * Stripe's own lists of zero- and three-decimal currencies; every other currency has two.
 */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

export function currencyExponent(currency: string): number {
  const c = currency.toLowerCase();
  return ZERO_DECIMAL.has(c) ? 0 : THREE_DECIMAL.has(c) ? 3 : 2;
}

/** Stripe's minor units → micro-units of the same currency. */
export function minorToMicros(amount: number, currency: string): number {
  if (!Number.isSafeInteger(amount)) throw new Error(`not an integer amount: ${amount}`);
  return amount * 10 ** (6 - currencyExponent(currency));
}

/** "$12.50", "€3.00", "¥1,200": the currency's own number of decimals, from integer micro-units. */
export function formatMicros(micros: number, currency: string): string {
  const exp = currencyExponent(currency);
  const minor = BigInt(Math.trunc(micros)) / 10n ** BigInt(6 - exp);
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const whole = (abs / 10n ** BigInt(exp)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = exp > 0 ? `.${(abs % 10n ** BigInt(exp)).toString().padStart(exp, '0')}` : '';
  const symbol = SYMBOLS[currency.toLowerCase()];
  return symbol ? `${sign}${symbol}${whole}${frac}` : `${sign}${whole}${frac} ${currency.toUpperCase()}`;
}

const SYMBOLS: Record<string, string> = { usd: '$', eur: '€', gbp: '£', jpy: '¥' };
