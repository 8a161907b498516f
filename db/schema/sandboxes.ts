import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { orgs } from './orgs';

export const SANDBOX_STATES = ['creating', 'running', 'paused', 'stopped', 'error', 'deleted'] as const;
export type SandboxStateValue = (typeof SANDBOX_STATES)[number];
export type SandboxNetwork = { mode: 'none' | 'egress'; allow?: string[]; ports?: number[] };
/** What happens when the TTL or idle timeout passes (E2B's `lifecycle.onTimeout`). */
export const ON_TIMEOUT = ['stop', 'pause', 'delete'] as const;
export type OnTimeout = (typeof ON_TIMEOUT)[number];
/** How the sandbox is isolated from its host (README: Isolation levels). */
export const ISOLATION_LEVELS = ['container', 'gvisor'] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/**
 * The console's record of each sandbox: what the caller asked for (desired_state) and what the
 * runner last said (state, reason, expires_at). The id is also the runner's sandbox id. Rows
 * are soft-deleted (deleted_at) so billing and the audit trail can still name them.
 */
export const sandboxes = pgTable(
  'sandboxes',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    runnerId: text('runner_id').notNull(),
    /** Optional, unique per org among live sandboxes; usable wherever an id is (lib/sandboxes/names.ts). */
    name: text('name'),
    template: text('template').notNull().default('default'),
    /** The exact build of a custom template it was made from (templates.current_build_id then). */
    templateBuildId: text('template_build_id'),
    snapshotId: text('snapshot_id'),
    state: text('state', { enum: SANDBOX_STATES }).notNull().default('creating'),
    desiredState: text('desired_state', { enum: ['running', 'paused', 'stopped', 'deleted'] })
      .notNull()
      .default('running'),
    reason: text('reason'),
    cpu: real('cpu').notNull(),
    memoryMb: integer('memory_mb').notNull(),
    diskMb: integer('disk_mb').notNull(),
    network: jsonb('network').$type<SandboxNetwork>().notNull(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    /** Names of the org's secrets it gets (resolved at each start; values are never stored here). */
    secrets: jsonb('secrets').$type<string[]>().notNull().default([]),
    timeoutSec: integer('timeout_sec').notNull(),
    idleTimeoutSec: integer('idle_timeout_sec').notNull().default(0),
    onTimeout: text('on_timeout', { enum: ON_TIMEOUT }).notNull().default('stop'),
    isolation: text('isolation', { enum: ISOLATION_LEVELS }).notNull().default('container'),
    /**
     * Made through the E2B API with public traffic (E2B's default): every port is reachable through
     * the E2B gateway by host name `{port}-{id}.{domain}`, as E2B's are. Otherwise a port needs
     * the sandbox's traffic token (or Warren's own preview access).
     */
    e2bPublicPorts: boolean('e2b_public_ports').notNull().default(false),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    stoppedAt: timestamp('stopped_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('sandboxes_org_created_idx').on(t.orgId, t.createdAt, t.id),
    // The list API's path: only live rows, so thousands of deleted sandboxes cost it nothing.
    index('sandboxes_org_live_created_idx').on(t.orgId, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    // Metadata filters (`metadata @> {"k":"v"}`) and `key:value` searches use this GIN index.
    index('sandboxes_metadata_idx').using('gin', t.metadata.op('jsonb_path_ops')),
    index('sandboxes_runner_idx').on(t.runnerId),
    index('sandboxes_snapshot_idx').on(t.snapshotId),
    // A name frees up when its sandbox is deleted (rows are soft-deleted).
    uniqueIndex('sandboxes_org_name_idx').on(t.orgId, t.name).where(sql`${t.deletedAt} is null and ${t.name} is not null`),
    // The retention sweep looks for long-stopped sandboxes.
    index('sandboxes_stopped_idx').on(t.stoppedAt).where(sql`${t.state} = 'stopped' and ${t.deletedAt} is null`),
  ],
);

/** A frozen filesystem layer on one runner; the id is the runner's snapshot id. */
export const snapshots = pgTable(
  'snapshots',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    sandboxId: text('sandbox_id').notNull(),
    runnerId: text('runner_id').notNull(),
    name: text('name'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [index('snapshots_org_created_idx').on(t.orgId, t.createdAt)],
);

/** Exposed ports; the preview proxy reads `public` to decide whether a session is needed. */
export const sandboxPorts = pgTable(
  'sandbox_ports',
  {
    sandboxId: text('sandbox_id')
      .notNull()
      .references(() => sandboxes.id, { onDelete: 'cascade' }),
    orgId: text('org_id').notNull(),
    port: integer('port').notNull(),
    public: boolean('public').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sandboxId, t.port] })],
);

/** Recent commands per sandbox for the overview tab; pruned to the last EXEC_LOG_KEEP rows. */
export const execLog = pgTable(
  'exec_log',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id').notNull(),
    sandboxId: text('sandbox_id')
      .notNull()
      .references(() => sandboxes.id, { onDelete: 'cascade' }),
    cmd: text('cmd').notNull(),
    exitCode: integer('exit_code'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('exec_log_sandbox_created_idx').on(t.sandboxId, t.createdAt)],
);

/** Per-org overrides of the plan's limits (null = the plan's); platform admins set them (lib/billing/overrides.ts). */
export const orgSandboxLimits = pgTable('org_sandbox_limits', {
  orgId: text('org_id')
    .primaryKey()
    .references(() => orgs.id, { onDelete: 'cascade' }),
  maxSandboxes: integer('max_sandboxes'),
  maxCpu: real('max_cpu'),
  maxMemoryMb: integer('max_memory_mb'),
  maxDiskMb: integer('max_disk_mb'),
  maxTimeoutSec: integer('max_timeout_sec'),
  maxPortsPerSandbox: integer('max_ports_per_sandbox'),
  maxRunningCpu: real('max_running_cpu'),
  maxRunningMemoryMb: integer('max_running_memory_mb'),
  maxSnapshotBytes: bigint('max_snapshot_bytes', { mode: 'number' }),
  maxTemplates: integer('max_templates'),
  apiRequestsPerMinute: integer('api_requests_per_minute'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
