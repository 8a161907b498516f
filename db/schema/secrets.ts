import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import { orgs } from './orgs';

/**
 * The org's secrets (README: Secrets). The value is never stored in clear: `ciphertext` (base64
 * of AES-256-GCM ciphertext and tag) under a per-value data key, `wrapped_key` that key wrapped
 * under the key-encryption key of `key_version` (lib/secrets/crypto.ts). `fingerprint` (a keyed
 * HMAC) and `last2` (for values of 12+ characters) are all the API ever shows of a value.
 * `hosts` non-empty makes it egress-only: sandboxes get `placeholder`, and the runner's proxy
 * puts the value in request headers to those hosts. `revision` counts value and hosts changes,
 * so the reconciler can tell a running sandbox's copy is stale.
 */
export const secrets = pgTable(
  'secrets',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    hosts: jsonb('hosts').$type<string[]>().notNull().default([]),
    ciphertext: text('ciphertext').notNull(),
    nonce: text('nonce').notNull(),
    wrappedKey: text('wrapped_key').notNull(),
    keyVersion: integer('key_version').notNull(),
    fingerprint: text('fingerprint').notNull(),
    last2: text('last2'),
    placeholder: text('placeholder').notNull(),
    revision: integer('revision').notNull().default(1),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('secrets_org_name_idx').on(t.orgId, t.name), index('secrets_key_version_idx').on(t.keyVersion)],
);
