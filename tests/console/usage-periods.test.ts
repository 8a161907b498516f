import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb, schema } from '@/db';
import type { JournalEvent } from '@/lib/runner-client';
import { applyEvent, loadContext } from '@/lib/usage/apply-events';
import { recomputeRollups, rollOver, Touched } from '@/lib/usage/periods';
import { periodCost, rateCard } from '@/lib/usage/rates';
import { stateEvent } from './helpers/journal-events';
import { makeOrg, uniq } from './helpers/fixtures';

/**
 * The meter's arithmetic on a real database, with synthetic journal events: hour roll-over,
 * repeated events, active CPU across container restarts, and integer money.
 */
async function sandboxRow(orgId: string) {
  const db = await getDb();
  const id = `sb${uniq()}`;
  await db.insert(schema.sandboxes).values({ id, orgId, runnerId: 'local', cpu: 1, memoryMb: 1024, diskMb: 1024, network: { mode: 'none' }, timeoutSec: 0, createdBy: 'test' });
  return id;
}
const state = (seq: number, sandboxId: string, s: 'running' | 'paused' | 'stopped' | 'deleted', at: string, cpuMs: number | null = null) =>
  stateEvent(seq, sandboxId, s, at, { cpuMs });
async function apply(events: JournalEvent[]) {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const ctx = await loadContext(tx, events, 'local');
    const touched = new Touched();
    for (const e of events) expect(await applyEvent(tx, e, ctx, touched)).toBe(true);
    await recomputeRollups(tx, touched);
  });
}
const periods = async (subject: string) => {
  const db = await getDb();
  const rows = await db.select().from(schema.usagePeriods).where(eq(schema.usagePeriods.subject, subject)).orderBy(asc(schema.usagePeriods.startedAt), asc(schema.usagePeriods.kind));
  return rows.map((r) => ({ kind: r.kind, from: r.startedAt.toISOString(), to: r.endedAt?.toISOString() ?? null, cost: r.costMicros, cpuMs: r.cpuMs }));
};

describe('usage periods', () => {
  it('cuts a period at every hour, both when it closes and when it rolls over', async () => {
    const { scope } = await makeOrg();
    const id = await sandboxRow(scope.orgId);
    await apply([state(1, id, 'running', '2026-11-30T10:30:00.000Z')]);
    const db = await getDb();
    await db.transaction(async (tx) => {
      const touched = new Touched();
      await rollOver(tx, new Date('2026-11-30T12:15:00.000Z'), touched);
      await recomputeRollups(tx, touched);
    });
    await apply([state(2, id, 'stopped', '2026-11-30T12:45:00.000Z')]);
    const ps = (await periods(id)).filter((p) => p.kind === 'compute');
    expect(ps.map((p) => [p.from, p.to])).toEqual([
      ['2026-11-30T10:30:00.000Z', '2026-11-30T11:00:00.000Z'],
      ['2026-11-30T11:00:00.000Z', '2026-11-30T12:00:00.000Z'],
      ['2026-11-30T12:00:00.000Z', '2026-11-30T12:45:00.000Z'],
    ]);
    // One vCPU and 1 GiB for an hour: $0.0504 + $0.0162 = 66,600 micro-dollars.
    expect(ps[1]!.cost).toBe(66_600);
    expect(ps[0]!.cost).toBe(33_300);
    const hourly = await db.select().from(schema.usageHourly).where(eq(schema.usageHourly.subject, id)).orderBy(asc(schema.usageHourly.hour));
    expect(hourly.filter((h) => h.kind === 'compute').map((h) => [h.hour.toISOString(), h.costMicros, h.durationMs])).toEqual([
      ['2026-11-30T10:00:00.000Z', 33_300, 1_800_000],
      ['2026-11-30T11:00:00.000Z', 66_600, 3_600_000],
      ['2026-11-30T12:00:00.000Z', 49_950, 2_700_000],
    ]);
  });

  it('a repeated event counts no second twice, and nothing after delete is metered', async () => {
    const { scope } = await makeOrg();
    const id = await sandboxRow(scope.orgId);
    const evs = [state(1, id, 'running', '2026-11-30T10:00:00.000Z', 0), state(2, id, 'paused', '2026-11-30T10:10:00.000Z', 6000)];
    await apply(evs);
    await apply([evs[1]!]); // the runner journaled the pause twice (it died between journal and record)
    await apply([state(3, id, 'deleted', '2026-11-30T10:20:00.000Z', 6000), state(4, id, 'stopped', '2026-11-30T10:21:00.000Z')]);
    const ps = await periods(id);
    const secs = (kind: string) => ps.filter((p) => p.kind === kind).reduce((s, p) => s + (Date.parse(p.to!) - Date.parse(p.from)) / 1000, 0);
    expect(secs('compute')).toBe(600);
    expect(secs('paused')).toBe(600);
    expect(secs('storage')).toBe(0);
    expect(ps.every((p) => p.to !== null)).toBe(true);
    expect(ps.filter((p) => p.kind === 'active_cpu').map((p) => p.cpuMs)).toEqual([6000]);
  });

  it('an event dated before the period it ends (a stop journaled after a restart) overlaps nothing', async () => {
    const { scope } = await makeOrg();
    const id = await sandboxRow(scope.orgId);
    await apply([state(1, id, 'running', '2026-11-30T10:30:00.000Z'), state(2, id, 'paused', '2026-11-30T10:40:00.000Z')]);
    // The stop carries the time the runtime stopped (10:35), but reaches the journal after the pause.
    await apply([state(3, id, 'stopped', '2026-11-30T10:35:00.000Z')]);
    const db = await getDb();
    await db.transaction(async (tx) => {
      const touched = new Touched();
      await rollOver(tx, new Date('2026-11-30T11:05:00.000Z'), touched); // storage continues from 11:00
      await recomputeRollups(tx, touched);
    });
    await apply([state(4, id, 'running', '2026-11-30T10:59:00.000Z')]); // late again, behind the roll-over
    const ps = (await periods(id)).filter((p) => p.kind !== 'active_cpu');
    const spans = ps.map((p) => [Date.parse(p.from), p.to ? Date.parse(p.to) : Number.POSITIVE_INFINITY]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]!);
    expect(ps.map((p) => [p.kind, p.from, p.to])).toEqual([
      ['compute', '2026-11-30T10:30:00.000Z', '2026-11-30T10:40:00.000Z'],
      ['paused', '2026-11-30T10:40:00.000Z', '2026-11-30T10:40:00.000Z'],
      ['storage', '2026-11-30T10:40:00.000Z', '2026-11-30T11:00:00.000Z'],
      ['compute', '2026-11-30T11:00:00.000Z', null],
      ['storage', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:00.000Z'],
    ]);
  });

  it('active CPU counts each container run from zero', async () => {
    const { scope } = await makeOrg();
    const id = await sandboxRow(scope.orgId);
    await apply([
      state(1, id, 'running', '2026-11-30T10:00:00.000Z', 100),
      { seq: 2, type: 'sample', at: '2026-11-30T10:00:30.000Z', sandboxId: id, state: 'running', cpuMs: 900, diskBytes: 0 },
      state(3, id, 'stopped', '2026-11-30T10:01:00.000Z', 1500),
      state(4, id, 'running', '2026-11-30T10:02:00.000Z', 50), // a new container: its counter starts again
      state(5, id, 'stopped', '2026-11-30T10:03:00.000Z', 450),
    ]);
    const cpu = (await periods(id))
      .filter((p) => p.kind === 'active_cpu')
      .sort((a, b) => a.to!.localeCompare(b.to!))
      .map((p) => p.cpuMs);
    expect(cpu).toEqual([100, 800, 600, 50, 400]);
  });

  it('costs are integers computed exactly, whatever the durations', () => {
    const r = rateCard({} as NodeJS.ProcessEnv); // the defaults
    expect(periodCost({ kind: 'compute', durationMs: 1000, vcpuMilli: 1000, memoryMb: 0, diskBytes: 0, cpuMs: 0 }, r)).toBe(14); // $0.000014/vCPU-s
    expect(periodCost({ kind: 'storage', durationMs: 3_600_000, vcpuMilli: 0, memoryMb: 0, diskBytes: 10 * 2 ** 30, cpuMs: 0 }, r)).toBe(3890);
    expect(periodCost({ kind: 'paused', durationMs: 3_600_000 * 24 * 31, vcpuMilli: 0, memoryMb: 65_536, diskBytes: 0, cpuMs: 0 }, r)).toBe(771_379_200) // 64 GiB × 744 h × 16,200;
    expect(Number.isInteger(periodCost({ kind: 'compute', durationMs: 1234.5, vcpuMilli: 333, memoryMb: 77, diskBytes: 0, cpuMs: 0 }, r))).toBe(true);
  });
});
