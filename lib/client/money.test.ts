import { describe, expect, it } from 'vitest';
import { exactMoney, formatHours, formatMoney, formatTick, isRounded, projectMonthEnd } from './money';

describe('money from integer micro-dollars', () => {
  it('reads as dollars and cents from a cent up, rounded to the nearest cent', () => {
    expect(formatMoney(1_000_000)).toBe('$1.00');
    expect(formatMoney(12_345_678)).toBe('$12.35');
    expect(formatMoney(1_234_567_890_000)).toBe('$1,234,567.89');
    expect(formatMoney(10_000)).toBe('$0.01');
    expect(formatMoney(14_999)).toBe('$0.01');
    expect(formatMoney(15_000)).toBe('$0.02');
  });

  it('keeps two significant digits below a cent, never rounding up to a cent', () => {
    expect(formatMoney(230)).toBe('$0.00023');
    expect(formatMoney(1_234)).toBe('$0.0012');
    expect(formatMoney(9_999)).toBe('$0.0099');
    expect(formatMoney(5)).toBe('$0.000005');
    expect(formatMoney(0)).toBe('$0.00');
  });

  it('gives the exact amount to the micro-dollar, and says when the readable one hides part of it', () => {
    expect(exactMoney(230)).toBe('$0.000230');
    expect(exactMoney(12_345_678)).toBe('$12.345678');
    expect(exactMoney(-5)).toBe('-$0.000005');
    expect(isRounded(230)).toBe(false);
    expect(isRounded(1_234)).toBe(true);
    expect(isRounded(1_000_000)).toBe(false);
    expect(isRounded(1_234_500)).toBe(true);
    expect(formatMoney(0.5)).toBe('—');
  });

  it('labels chart ticks exactly below a cent', () => {
    expect(formatTick(225)).toBe('$0.000225');
    expect(formatTick(300)).toBe('$0.0003');
    expect(formatTick(0)).toBe('$0.00');
    expect(formatTick(2_500_000)).toBe('$2.50');
  });

  it('projects month-end cost from month-to-date and the burn rate, in whole micro-dollars', () => {
    const now = new Date('2026-12-31T12:00:00Z'); // 12 hours left in December
    expect(projectMonthEnd(1_000_000, 50_400, now)).toBe(1_000_000 + 12 * 50_400);
    expect(projectMonthEnd(7, 0, now)).toBe(7);
    // A huge rate over a whole month stays exact (the product passes 2^53).
    expect(projectMonthEnd(0, 9_000_000_000, new Date('2026-12-01T00:00:00Z'))).toBe(9_000_000_000 * 744);
  });
});

describe('metered hours', () => {
  it('are compact and keep small amounts visible', () => {
    expect(formatHours(0)).toBe('0');
    expect(formatHours(0.001234)).toBe('0.0012');
    expect(formatHours(2.5)).toBe('2.50');
    expect(formatHours(1234.4)).toBe('1,234');
  });
});
