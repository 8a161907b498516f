/**
 * Usage queries at scale: generates 1,000,000 usage periods for 1,000 orgs and 100,000 sandboxes
 * over one month in a fresh Postgres database, builds their hourly rollups, then reports the
 * p50/p99 of an org's month query by day (grouped by kind) and by sandbox, and how long the
 * rollup of the busiest hour takes to recompute.
 *
 *   npx tsx bench/usage-query.ts [periods=1000000] [orgs=1000] [sandboxes=100000]
 *
 * Needs Postgres on 127.0.0.1:5432 (or WARREN_TEST_PG_URL). Drops its database at the end.
 */
import postgres from 'postgres';
import { percentile } from './stats';

const pct = (xs: number[], p: number) => percentile([...xs].sort((a, b) => a - b), p);

const [periods = 1_000_000, orgs = 1000, sandboxCount = 100_000] = process.argv.slice(2).map(Number);
const admin = process.env.WARREN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `warren_bench_usage_${Date.now().toString(36)}`;
const root = postgres(admin, { max: 1, onnotice: () => {} });
await root.unsafe(`create database ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

const { getDb, closeDb } = await import('@/db');
const { orgUsage } = await import('@/lib/usage/queries');
const { recomputeRollups, Touched } = await import('@/lib/usage/periods');
const { sql } = await import('drizzle-orm');

try {
  const db = await getDb();
  const month = new Date(Date.UTC(2026, 10, 1)); // November 2026: 720 hours
  const hours = 720;
  let t = performance.now();
  await db.execute(sql`insert into orgs (id, name, slug) select 'o' || g, 'Org ' || g, 'org-' || g from generate_series(1, ${orgs}) g`);
  // Sandbox i belongs to org (i mod orgs): orgs of equal size.
  await db.execute(sql`
    insert into sandboxes (id, org_id, runner_id, cpu, memory_mb, disk_mb, network, timeout_sec, created_by, metadata, state, created_at)
    select 's' || g, 'o' || (1 + g % ${orgs}), 'local', 1, 1024, 2048, '{"mode":"none"}', 0, 'bench', jsonb_build_object('agent', 'a' || (g % 7)), 'stopped', ${month.toISOString()}::timestamptz
    from generate_series(1, ${sandboxCount}) g`);
  // Period j: sandbox (j mod sandboxes), a random hour of the month, 1–59 minutes inside it.
  await db.execute(sql`
    insert into usage_periods (id, org_id, subject, sandbox_id, kind, started_at, ended_at, vcpu_milli, memory_mb, disk_bytes, cost_micros)
    select 'p' || j, 'o' || (1 + (j % ${sandboxCount}) % ${orgs}), 's' || (j % ${sandboxCount}), 's' || (j % ${sandboxCount}),
      (array['compute','compute','compute','paused','storage'])[1 + j % 5],
      h, h + ((1 + j % 59) || ' minutes')::interval, 1000, 1024, 1073741824, 1000 + j % 50000
    from (select j, ${month.toISOString()}::timestamptz + ((hashint4(j) & 1023) % ${hours} || ' hours')::interval as h
          from generate_series(1, ${periods}) j) x`);
  console.log(`generated ${periods} periods, ${sandboxCount} sandboxes, ${orgs} orgs in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  await db.execute(sql`
    insert into usage_hourly (org_id, hour, subject, sandbox_id, snapshot_id, kind, duration_ms, vcpu_milli_ms, mem_mib_ms, disk_byte_ms, cpu_ms, cost_micros)
    select org_id, date_trunc('hour', started_at, 'UTC'), subject, max(sandbox_id), max(snapshot_id), kind,
      sum(d)::bigint, sum(vcpu_milli::numeric * d), sum(memory_mb::numeric * d), sum(disk_bytes::numeric * d), sum(cpu_ms)::bigint, sum(cost_micros)::bigint
    from (select *, round(extract(epoch from (ended_at - started_at)) * 1000) d from usage_periods) p
    group by org_id, date_trunc('hour', started_at, 'UTC'), subject, kind`);
  await db.execute(sql`analyze`);
  const [{ n }] = (await db.execute(sql`select count(*)::int n from usage_hourly`)) as unknown as [{ n: number }];
  console.log(`built ${n} hourly rollup rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const q = (groupBy: string) => ({ from: month, to: new Date(month.getTime() + hours * 3_600_000), granularity: 'day' as const, groupBy });
  for (const groupBy of ['kind', 'sandbox']) {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const scope = { orgId: `o${1 + ((i * 37) % orgs)}` } as Parameters<typeof orgUsage>[0];
      const t0 = performance.now();
      await orgUsage(scope, q(groupBy));
      times.push(performance.now() - t0);
    }
    console.log(`org month query by day, groupBy=${groupBy}: p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms`);
  }

  // The busiest hour: every (subject, kind) with a period in it, recomputed in one transaction.
  const [busy] = (await db.execute(sql`select hour, count(*)::int n from usage_hourly group by hour order by 2 desc limit 1`)) as unknown as [{ hour: string; n: number }];
  const keys = (await db.execute(sql`select org_id, subject, kind from usage_hourly where hour = ${busy.hour}`)) as unknown as Array<{ org_id: string; subject: string; kind: 'compute' }>;
  const touched = new Touched();
  for (const k of keys) touched.add({ orgId: k.org_id, subject: k.subject, kind: k.kind }, new Date(busy.hour));
  t = performance.now();
  await db.transaction((tx) => recomputeRollups(tx, touched));
  console.log(`recomputed the busiest hour (${keys.length} rollup rows) in ${(performance.now() - t).toFixed(0)} ms`);
} finally {
  await closeDb();
  await root.unsafe(`drop database if exists ${name} with (force)`);
  await root.end();
}
