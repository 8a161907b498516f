import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMicros, minorToMicros } from './currency';

describe('invoice amounts from Stripe’s minor units', () => {
  it('scales by the currency’s exponent, exactly', () => {
    expect(minorToMicros(2000, 'usd')).toBe(20_000_000); // $20.00
    expect(minorToMicros(2000, 'JPY')).toBe(2_000_000_000); // ¥2,000
    expect(minorToMicros(1234, 'kwd')).toBe(1_234_000); // 1.234 KWD
    expect(minorToMicros(-50, 'eur')).toBe(-500_000);
    expect(() => minorToMicros(1.5, 'usd')).toThrow();
    expect([currencyExponent('usd'), currencyExponent('jpy'), currencyExponent('bhd')]).toEqual([2, 0, 3]);
  });

  it('shows the currency’s own decimals, from integers only', () => {
    expect(formatMicros(20_000_000, 'usd')).toBe('$20.00');
    expect(formatMicros(123_456_789_000, 'usd')).toBe('$123,456.78');
    expect(formatMicros(2_000_000_000, 'jpy')).toBe('¥2,000');
    expect(formatMicros(1_234_000, 'kwd')).toBe('1.234 KWD');
    expect(formatMicros(-500_000, 'eur')).toBe('-€0.50');
  });
});
