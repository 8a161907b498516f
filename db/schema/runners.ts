import { bigint, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** What a runner last reported about its room, for placement. */
export type RunnerCapacity = {
  sandboxes: number;
  maxSandboxes: number;
  cpuCommitted: number;
  cpuTotal: number;
  memoryMbCommitted: number;
  memoryMbTotal: number;
  /** Levels the runner can run now (runner/sandbox/types.ts Capacity); absent from runners older than gVisor. */
  isolation?: Partial<Record<'container' | 'gvisor', { available: boolean; reason?: string }>>;
};

/**
 * Registered runners (one per host). The token is stored AES-256-GCM encrypted (see
 * lib/runners/token-crypto.ts) and never returned by any API. The local runner started by the
 * console has the fixed id `local` and is (re)registered at boot.
 */
export const runners = pgTable('runners', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  tokenCiphertext: text('token_ciphertext').notNull(),
  capacity: jsonb('capacity').$type<RunnerCapacity>(),
  state: text('state', { enum: ['ready', 'unreachable', 'draining'] })
    .notNull()
    .default('ready'),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
  /** The meter's cursor in this runner's usage journal (and which journal it is). */
  journalId: text('journal_id'),
  journalSeq: bigint('journal_seq', { mode: 'number' }).notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
