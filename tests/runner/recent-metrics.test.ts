import { describe, expect, it } from 'vitest';
import { RecentMetrics } from '@/runner/sandbox/recent-metrics';

describe('recent metrics history', () => {
  it('turns cumulative CPU seconds into percentages between samples and keeps only the window', () => {
    const r = new RecentMetrics(60_000);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    r.record('k', t0, 10, 100);
    r.record('k', t0 + 5000, 12.5, 200); // 2.5 s of CPU in 5 s = 50 %
    r.record('k', t0 + 10_000, 12.5, 300);
    expect(r.since('k')).toEqual([
      { at: '2026-01-01T00:00:05.000Z', cpuPercent: 50, memoryBytes: 200 },
      { at: '2026-01-01T00:00:10.000Z', cpuPercent: 0, memoryBytes: 300 },
    ]);
    expect(r.since('k', t0 + 5000).map((s) => s.at)).toEqual(['2026-01-01T00:00:10.000Z']);
    r.record('k', t0 + 70_000, 13.5, 400);
    expect(r.since('k').map((s) => s.at)).toEqual(['2026-01-01T00:00:10.000Z', '2026-01-01T00:01:10.000Z']);
  });

  it('starts a new run after a stop and a counter reset, and forgets deleted sandboxes', () => {
    const r = new RecentMetrics();
    r.record('k', 1000, 50, 1);
    r.pause('k');
    r.record('k', 6000, 0.5, 1); // restarted: a fresh cgroup counter, no bogus negative point
    r.record('k', 11_000, 1, 1);
    expect(r.since('k').map((s) => s.cpuPercent)).toEqual([10]);
    r.forget('k');
    expect(r.since('k')).toEqual([]);
    expect(r.keys()).toEqual([]);
  });
});
