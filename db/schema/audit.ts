import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { orgs } from './orgs';

/**
 * Who did what. Actor ids are kept loose (no foreign key) and a readable label is copied in,
 * so the log outlives deleted users and revoked keys.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id').references(() => orgs.id, { onDelete: 'cascade' }),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The second index serves the log's target filter (every event about one sandbox, key, …).
  (t) => [index('audit_events_org_created_idx').on(t.orgId, t.createdAt), index('audit_events_org_target_idx').on(t.orgId, t.targetId)],
);
