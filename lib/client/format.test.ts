import { describe, expect, it } from 'vitest';
import { formatRelative, isPast } from './format';

const now = Date.parse('2026-01-10T12:00:00Z');

describe('formatRelative', () => {
  it('says "just now" for the last few seconds', () => {
    expect(formatRelative('2026-01-10T11:59:50Z', now)).toBe('just now');
  });

  it('picks the largest whole unit, past and future', () => {
    expect(formatRelative('2026-01-10T09:00:00Z', now)).toMatch(/3 hours ago/);
    expect(formatRelative('2026-01-17T12:00:00Z', now)).toMatch(/in 1 week|in 7 days/);
    expect(formatRelative('2026-01-12T12:00:00Z', now)).toMatch(/in 2 days/);
  });

  it('shows a dash for a missing date', () => {
    expect(formatRelative(null, now)).toBe('—');
  });
});

describe('isPast', () => {
  it('is true only for dates at or before now', () => {
    expect(isPast('2026-01-10T11:00:00Z', now)).toBe(true);
    expect(isPast('2026-01-10T13:00:00Z', now)).toBe(false);
    expect(isPast(null, now)).toBe(false);
  });
});
