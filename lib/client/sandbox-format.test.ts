import { describe, expect, it } from 'vitest';
import { backoffMs } from '@/components/terminal/terminal-types';
import { formatBytes, formatDuration, formatMemory, timeLeft } from './sandbox-format';

const now = Date.parse('2026-01-10T12:00:00Z');

describe('sandbox formatting', () => {
  it('sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatMemory(512)).toBe('512 MiB');
    expect(formatMemory(2048)).toBe('2 GiB');
  });

  it('durations are compact', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(formatDuration(3600 + 5 * 60)).toBe('1h 5m');
    expect(formatDuration(3 * 86400)).toBe('3d');
  });

  it('time left counts down to the TTL and says when it is due', () => {
    expect(timeLeft('2026-01-10T12:15:00Z', now)).toBe('15m');
    expect(timeLeft('2026-01-10T11:59:00Z', now)).toBe('expiring');
    expect(timeLeft(null, now)).toBe('—');
  });
});

describe('terminal reconnect backoff', () => {
  it('starts quick and is capped', () => {
    expect(backoffMs(0)).toBe(500);
    expect(backoffMs(1)).toBe(1000);
    expect(backoffMs(10)).toBe(10_000);
  });
});
