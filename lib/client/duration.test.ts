import { describe, expect, it } from 'vitest';
import { formatDuration, toSeconds } from './duration';

describe('form durations', () => {
  it('turns an amount and a unit into whole seconds, refusing what is not a duration', () => {
    expect(toSeconds('15', 'minutes')).toBe(900);
    expect(toSeconds('1.5', 'hours')).toBe(5400);
    expect(toSeconds('2', 'days')).toBe(172_800);
    expect(toSeconds('', 'minutes')).toBeNaN();
    expect(toSeconds('-1', 'minutes')).toBeNaN();
    expect(toSeconds('ten', 'hours')).toBeNaN();
  });
  it('reads seconds back in the largest units', () => {
    expect(formatDuration(900)).toBe('15 minutes');
    expect(formatDuration(86_400)).toBe('1 day');
    expect(formatDuration(93_600)).toBe('1 day 2 hours');
    expect(formatDuration(90)).toBe('1 minute 30 seconds');
  });
});
