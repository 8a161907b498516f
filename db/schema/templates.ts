import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { newId } from '@/lib/ids';
import type { Recipe } from '@/lib/templates/recipe';
import type { DebianSpec } from '@/runner/images/debian-base';
import { orgs } from './orgs';
import { ISOLATION_LEVELS } from './sandboxes';

/** What a build pulled: the image's config as the runner reported it (runner/images/oci-layout.ts). */
export type TemplateImageConfig = { env: Record<string, string>; workingDir: string | null; user: string | null; entrypoint: string[]; cmd: string[] };
export const TEMPLATE_STATUSES = ['building', 'ready', 'failed'] as const;
export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * Templates a sandbox can start from (README: Templates), besides the built-in `host`. An org's
 * own (org_id set) or the platform's (org_id null, visible to every org). The source is an OCI
 * image reference; a private registry's password is an org secret (`registry_password_secret`,
 * a name in the vault, never a value here). `current_build_id` is the build sandboxes get now:
 * the latest that succeeded. Soft-deleted so sandboxes and usage can still name it.
 */
export const templates = pgTable(
  'templates',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    orgId: text('org_id').references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    image: text('image').notNull(),
    registryUsername: text('registry_username'),
    registryPasswordSecret: text('registry_password_secret'),
    /** A build recipe (Dockerfile or JSON steps, lib/templates/recipe.ts); `image` is then its FROM. */
    recipe: jsonb('recipe').$type<Recipe>(),
    /** A Debian root filesystem mmdebstrap builds (the platform's `debian` template) instead of a pull. */
    systemBase: jsonb('system_base').$type<DebianSpec>(),
    /** The uploaded build context (a tar, base64) COPY reads from, and its sha256 (hex). */
    context: text('context'),
    contextSha256: text('context_sha256'),
    /** Run the image's Entrypoint + Cmd in the background when a sandbox starts from it. */
    startCommand: boolean('start_command').notNull().default(false),
    /** A shell command (`sh -c`) that must exit 0 in a new sandbox before its create answers. */
    readyCommand: text('ready_command'),
    readyTimeoutSec: integer('ready_timeout_sec').notNull().default(30),
    /** The isolation its sandboxes get when the create names none; null: the org's default
     * (container, or gvisor when the plan requires it). */
    isolation: text('isolation', { enum: ISOLATION_LEVELS }),
    /** A template saved from a snapshot: sandboxes start on that snapshot's layers (its runner). */
    snapshotId: text('snapshot_id'),
    status: text('status', { enum: TEMPLATE_STATUSES }).notNull().default('building'),
    currentBuildId: text('current_build_id'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('templates_org_idx').on(t.orgId, t.createdAt),
    uniqueIndex('templates_org_name_idx').on(t.orgId, t.name).where(sql`${t.deletedAt} is null`),
  ],
);

/**
 * One build of a template (a pull, for image templates), numbered per template (`version`):
 * queued per runner, its log kept here, its result the exact image digest sandboxes then run.
 */
export const templateBuilds = pgTable(
  'template_builds',
  {
    id: text('id').primaryKey().$defaultFn(() => newId()),
    templateId: text('template_id')
      .notNull()
      .references(() => templates.id, { onDelete: 'cascade' }),
    orgId: text('org_id'),
    version: integer('version').notNull(),
    runnerId: text('runner_id').notNull(),
    status: text('status', { enum: BUILD_STATUSES }).notNull().default('queued'),
    image: text('image').notNull(),
    imageDigest: text('image_digest'),
    imageConfig: jsonb('image_config').$type<TemplateImageConfig>(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    log: text('log').notNull().default(''),
    error: text('error'),
    errorCode: text('error_code'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('template_builds_version_idx').on(t.templateId, t.version), index('template_builds_status_idx').on(t.status)],
);
