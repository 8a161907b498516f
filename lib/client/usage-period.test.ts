import { describe, expect, it } from 'vitest';
import { granularityOf, parseSelection, rangeOf, selectionSearch, usageQuery } from './usage-period';

const now = new Date('2026-12-20T15:42:10Z');

describe('usage page selection', () => {
  it('round-trips through the URL and ignores what it does not know', () => {
    const s = parseSelection(
      { period: 'custom', from: '2026-11-01', to: '2026-11-30', granularity: 'day', groupBy: 'metadata.team' },
      now,
    );
    expect(parseSelection(Object.fromEntries(new URLSearchParams(selectionSearch(s))), now)).toEqual(s);
    const junk = parseSelection(
      { period: 'year', groupBy: 'metadata.bad key!', granularity: 'minute', from: 'x' },
      now,
    );
    expect(junk).toMatchObject({ period: 'month', groupBy: 'kind', granularity: 'auto', from: '2026-12-14' });
    expect(selectionSearch(parseSelection({}, now))).toBe('');
  });

  it('resolves presets and custom days in UTC, the last day inclusive', () => {
    const base = parseSelection({}, now);
    expect(rangeOf(base, now).from.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(rangeOf({ ...base, period: '7d' }, now).from.toISOString()).toBe('2026-12-13T15:00:00.000Z');
    const custom = rangeOf({ ...base, period: 'custom', from: '2026-11-01', to: '2026-11-30' }, now);
    expect([custom.from.toISOString(), custom.to.toISOString(), custom.error]).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      null,
    ]);
    expect(rangeOf({ ...base, period: 'custom', from: '2026-11-30', to: '2026-11-01' }, now).error).toMatch(/after/);
  });

  it('buckets by hour for short ranges and never asks the API for more than 31 days of hours', () => {
    const base = parseSelection({}, now);
    const twoDays = { from: new Date('2026-12-19T00:00:00Z'), to: now, error: null };
    expect(granularityOf(base, twoDays)).toBe('hour');
    expect(granularityOf(base, rangeOf(base, now))).toBe('day');
    const year = {
      ...base,
      period: 'custom' as const,
      from: '2026-01-01',
      to: '2026-12-01',
      granularity: 'hour' as const,
    };
    expect(granularityOf(year, rangeOf(year, now))).toBe('day');
  });

  it('leaves `to` to the API for presets, so the numbers stay live', () => {
    const base = parseSelection({ groupBy: 'template' }, now);
    expect(Object.fromEntries(usageQuery(base, rangeOf(base, now)))).toEqual({
      granularity: 'day',
      groupBy: 'template',
    });
    const week = { ...base, period: '7d' as const };
    expect(usageQuery(week, rangeOf(week, now), 'sandbox').get('from')).toBe('2026-12-13T15:00:00.000Z');
    expect(usageQuery(week, rangeOf(week, now)).has('to')).toBe(false);
  });
});
