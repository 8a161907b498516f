import { sql } from 'drizzle-orm';
import { bigint, index, integer, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { orgs } from './orgs';
import { ISOLATION_LEVELS } from './sandboxes';

export const USAGE_KINDS = ['compute', 'paused', 'storage', 'active_cpu'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/**
 * Metered time: one row per stretch of a sandbox (or snapshot) in one billable kind, opened and
 * closed at the times the runner observed (lib/usage/). At most one open period per subject and
 * kind; open periods roll over at each hour, so no period spans an hour (or a billing cut-off).
 * `costMicros` (integer micro-dollars) is fixed when the period closes, from the rate card.
 */
export const usagePeriods = pgTable(
  'usage_periods',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    /** The sandbox id, or `snap_<id>` for a snapshot's storage. */
    subject: text('subject').notNull(),
    sandboxId: text('sandbox_id'),
    snapshotId: text('snapshot_id'),
    kind: text('kind', { enum: USAGE_KINDS }).notNull(),
    /** The sandbox's isolation level (usage per level); null for a snapshot's storage. */
    isolation: text('isolation', { enum: ISOLATION_LEVELS }),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, precision: 3 }),
    vcpuMilli: integer('vcpu_milli').notNull().default(0),
    memoryMb: integer('memory_mb').notNull().default(0),
    diskBytes: bigint('disk_bytes', { mode: 'number' }).notNull().default(0),
    /** active_cpu: CPU milliseconds actually consumed in this stretch. */
    cpuMs: bigint('cpu_ms', { mode: 'number' }).notNull().default(0),
    costMicros: bigint('cost_micros', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('usage_periods_one_open_idx').on(t.subject, t.kind).where(sql`${t.endedAt} is null`),
    index('usage_periods_org_started_idx').on(t.orgId, t.startedAt),
    index('usage_periods_subject_idx').on(t.subject, t.startedAt),
  ],
);

/**
 * Hourly rollups (org × subject × kind × hour) of closed periods, recomputed from them whenever a
 * period in that hour closes: recomputing an hour always gives the same numbers.
 */
export const usageHourly = pgTable(
  'usage_hourly',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    subject: text('subject').notNull(),
    sandboxId: text('sandbox_id'),
    snapshotId: text('snapshot_id'),
    kind: text('kind', { enum: USAGE_KINDS }).notNull(),
    /** The subject's isolation level, from its periods (null for snapshots). */
    isolation: text('isolation', { enum: ISOLATION_LEVELS }),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    vcpuMilliMs: numeric('vcpu_milli_ms').notNull(),
    memMibMs: numeric('mem_mib_ms').notNull(),
    diskByteMs: numeric('disk_byte_ms').notNull(),
    cpuMs: bigint('cpu_ms', { mode: 'number' }).notNull(),
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('usage_hourly_key_idx').on(t.orgId, t.hour, t.kind, t.subject),
    index('usage_hourly_subject_idx').on(t.subject, t.hour),
    // The platform admin's month across all orgs: a range on hour alone.
    index('usage_hourly_hour_idx').on(t.hour),
  ],
);

/** Per subject: what the meter last learnt (CPU counter for active CPU; deleted = no more periods). */
export const usageMeterState = pgTable('usage_meter_state', {
  subject: text('subject').primaryKey(),
  orgId: text('org_id')
    .notNull()
    .references(() => orgs.id, { onDelete: 'cascade' }),
  lastCpuMs: bigint('last_cpu_ms', { mode: 'number' }),
  lastCpuAt: timestamp('last_cpu_at', { withTimezone: true, precision: 3 }),
  deletedAt: timestamp('deleted_at', { withTimezone: true, precision: 3 }),
});
