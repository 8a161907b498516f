import { and, count, desc, eq, getTableColumns, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { IsolationLevel } from '@/db/schema/sandboxes';
import { getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import { claimTemplateSlot } from '@/lib/billing/template-quota';
import { orgLimits } from '@/lib/sandboxes/limits';
import type { OrgScope } from '@/lib/auth/scope';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, badRequest, conflict, notFound } from '@/lib/errors';
import type { CreateTemplateBody, UpdateTemplateBody } from '@/lib/schemas/templates';
import { logger } from '@/lib/logger';
import { resolveSecrets } from '@/lib/secrets/vault';
import { removeTemplateImages } from './image-gc';
import { parseDockerfileRecipe, parseStepsRecipe, type Recipe } from './recipe';
import { decodeContext } from './context';
import { assertHostTemplateEnabled, BASE_ALIAS, hostTemplateEnabled, hostTemplateOff, platformDefaultTemplate } from './default-template';

const { templates, templateBuilds, sandboxes, terminalShares: shares, orgs } = schema;
/**
 * A template as most code reads it: every column but its build context (a recipe's tar, base64,
 * up to tens of MB), of which only the size. Only the build itself reads the context
 * (./builds.ts), so listing templates or creating a sandbox from one never loads it.
 */
export type TemplateRow = Omit<typeof templates.$inferSelect, 'context'> & { context?: string | null; contextChars?: number | null };
const { context: _context, ...columnsButContext } = getTableColumns(templates);
export const templateColumns = { ...columnsButContext, contextChars: sql<number | null>`octet_length(${templates.context})` };
export type BuildRow = typeof templateBuilds.$inferSelect;

/**
 * Templates a sandbox can start from: the built-in one (`default`, alias `host`: the host's /usr
 * read-only under a minimal /etc of its own, what tests and development use; off in production
 * unless WARREN_HOST_TEMPLATE=on) plus the org's own and the platform's public ones (among them
 * `debian`, alias `base`, the default: lib/templates/debian.ts), each built by a build
 * (lib/templates/builds.ts).
 */
export const BUILTIN_ID = 'default';
const BUILTIN_ALIASES = new Set(['default', 'host']);
/** Names no org template may take: they name platform templates everywhere. */
const RESERVED = new Set([...BUILTIN_ALIASES, BASE_ALIAS]);
/** The platform Debian template's name (lib/templates/debian.ts; not imported: it imports this module). */
const DEBIAN = 'debian';
/** `base` names the platform's Debian template. */
const canonical = (idOrName: string) => (idOrName === BASE_ALIAS ? DEBIAN : idOrName);

export type BuildSummary = {
  id: string;
  version: number;
  status: BuildRow['status'];
  imageDigest: string | null;
  sizeBytes: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export type TemplateView = {
  id: string;
  name: string;
  description: string;
  /** What a create that names no template gets: the org's default, else the platform's (WARREN_DEFAULT_TEMPLATE). */
  default: boolean;
  builtin: boolean;
  /** A platform template every org sees (read-only to orgs). */
  public: boolean;
  source:
    | { type: 'host' }
    | { type: 'image'; image: string }
    | { type: 'snapshot'; snapshotId: string }
    | { type: 'debian'; suite: string; variant: string; include: string[] }
    | { type: 'recipe'; from: string; dockerfile: string | null; steps: Recipe['steps'] | null; context: { sha256: string; bytes: number } | null };
  registryAuth: { username: string; passwordSecret: string } | null;
  startCommand: boolean;
  readyCommand: string | null;
  readyTimeoutSec: number;
  /** The level its sandboxes get when a create names none; null: the org's default (README: Isolation levels). */
  isolation: IsolationLevel | null;
  status: TemplateRow['status'];
  currentBuild: BuildSummary | null;
  lastBuild: BuildSummary | null;
  sizeBytes: number | null;
  usedBy: { sandboxes: number; shares: number };
  createdBy: string | null;
  createdAt: string | null;
};

const BUILTIN: TemplateView = {
  id: BUILTIN_ID,
  name: 'host',
  description: 'The host’s Debian userland read-only (python3, node, bash, gcc, git); user `user` (uid 1000), home /home/user',
  default: false,
  builtin: true,
  public: true,
  source: { type: 'host' },
  registryAuth: null,
  startCommand: false,
  readyCommand: null,
  readyTimeoutSec: 30,
  isolation: null,
  status: 'ready',
  currentBuild: null,
  lastBuild: null,
  sizeBytes: null,
  usedBy: { sandboxes: 0, shares: 0 },
  createdBy: null,
  createdAt: null,
};

export const buildSummary = (b: BuildRow): BuildSummary => ({
  id: b.id,
  version: b.version,
  status: b.status,
  imageDigest: b.imageDigest,
  sizeBytes: b.sizeBytes,
  error: b.error,
  createdAt: b.createdAt.toISOString(),
  finishedAt: b.finishedAt?.toISOString() ?? null,
});

/** Rows the org may see: its own and the platform's. */
const visibleTo = (orgId: string): SQL => and(isNull(templates.deletedAt), or(eq(templates.orgId, orgId), isNull(templates.orgId)))!;

async function usage(orgId: string, ids: string[]) {
  const db = await getDb();
  if (!ids.length) return new Map<string, { sandboxes: number; shares: number }>();
  const sb = await db
    .select({ id: sandboxes.template, n: count() })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), inArray(sandboxes.template, ids), isNull(sandboxes.deletedAt)))
    .groupBy(sandboxes.template);
  const sh = await db
    .select({ id: shares.template, n: count() })
    .from(shares)
    .where(and(eq(shares.orgId, orgId), inArray(shares.template, ids), isNull(shares.revokedAt), or(isNull(shares.expiresAt), sql`${shares.expiresAt} > now()`)))
    .groupBy(shares.template);
  const out = new Map(ids.map((id) => [id, { sandboxes: 0, shares: 0 }]));
  for (const r of sb) out.get(r.id)!.sandboxes = r.n;
  for (const r of sh) if (r.id) out.get(r.id)!.shares = r.n;
  return out;
}

async function views(orgId: string, rows: TemplateRow[]): Promise<TemplateView[]> {
  const db = await getDb();
  const chosen = await orgDefault(orgId);
  const ids = rows.map((r) => r.id);
  const builds = ids.length ? await db.select().from(templateBuilds).where(inArray(templateBuilds.templateId, ids)).orderBy(desc(templateBuilds.version)) : [];
  const used = await usage(orgId, ids);
  return rows.map((r) => {
    const mine = builds.filter((b) => b.templateId === r.id);
    const current = mine.find((b) => b.id === r.currentBuildId) ?? null;
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      default: chosen ? chosen === r.id : isPlatformDefault(r),
      builtin: false,
      public: r.orgId === null,
      source: sourceOf(r),
      registryAuth: r.registryUsername && r.registryPasswordSecret ? { username: r.registryUsername, passwordSecret: r.registryPasswordSecret } : null,
      startCommand: r.startCommand,
      readyCommand: r.readyCommand,
      readyTimeoutSec: r.readyTimeoutSec,
      isolation: r.isolation,
      status: r.status,
      currentBuild: current && buildSummary(current),
      lastBuild: mine[0] ? buildSummary(mine[0]) : null,
      sizeBytes: current?.sizeBytes ?? null,
      usedBy: used.get(r.id)!,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
    };
  });
}

/**
 * The template the org chose as its default, or null: the platform's. An org that chose host
 * while it was on follows the platform's default once it is off.
 */
async function orgDefault(orgId: string): Promise<string | null> {
  const db = await getDb();
  const [org] = await db.select({ defaultTemplateId: orgs.defaultTemplateId }).from(orgs).where(eq(orgs.id, orgId));
  return usableDefault(org?.defaultTemplateId ?? null);
}

/** An org's stored default, unless it is the built-in host template and that is turned off. */
const usableDefault = (id: string | null) => (id === BUILTIN_ID && !hostTemplateEnabled() ? null : id);

/** The platform's default when an org has set none: the platform Debian row, or the built-in host. */
const isPlatformDefault = (r: TemplateRow) => r.orgId === null && r.name === DEBIAN && platformDefaultTemplate() === 'debian';

function sourceOf(r: TemplateRow): TemplateView['source'] {
  if (r.snapshotId) return { type: 'snapshot', snapshotId: r.snapshotId };
  if (r.systemBase) return { type: 'debian', ...r.systemBase };
  if (!r.recipe) return { type: 'image', image: r.image };
  // base64: 4 characters per 3 bytes (the padding makes it at most 2 bytes fewer).
  const chars = r.contextChars ?? r.context?.length ?? null;
  const context = r.contextSha256 && chars ? { sha256: r.contextSha256, bytes: Math.floor((Number(chars) * 3) / 4) } : null;
  return { type: 'recipe', from: r.image, dockerfile: r.recipe.dockerfile, steps: r.recipe.source === 'steps' ? r.recipe.steps : null, context };
}

/** The recipe a body names (Dockerfile or steps), parsed: a 400 names what is wrong and where. */
function recipeOf(body: { dockerfile?: string; steps?: CreateTemplateBody['steps'] }): Recipe | null {
  if (body.dockerfile !== undefined) return parseDockerfileRecipe(body.dockerfile);
  if (body.steps !== undefined) return parseStepsRecipe(body.steps);
  return null;
}

export async function listTemplates(scope: OrgScope): Promise<TemplateView[]> {
  const db = await getDb();
  const rows = await db.select(templateColumns).from(templates).where(visibleTo(scope.orgId)).orderBy(desc(templates.createdAt));
  const custom = await views(scope.orgId, rows);
  // Off (production, unless configured): not offered at all, so no one picks what a create refuses.
  if (!hostTemplateEnabled()) return custom;
  const [used] = (await usage(scope.orgId, [BUILTIN_ID])).values();
  const chosen = await orgDefault(scope.orgId);
  const isDefault = chosen ? chosen === BUILTIN_ID : platformDefaultTemplate() === 'host';
  return [{ ...BUILTIN, default: isDefault, usedBy: used! }, ...custom];
}

/** A template the org sees, by id or name; `own` for changes (platform ones are read-only). */
export async function findTemplate(scope: OrgScope, idOrName: string, own = false): Promise<TemplateRow> {
  idOrName = canonical(idOrName);
  const db = await getDb();
  const [row] = await db
    .select(templateColumns)
    .from(templates)
    .where(and(visibleTo(scope.orgId), or(eq(templates.id, idOrName), eq(templates.name, idOrName))))
    .orderBy(sql`${templates.orgId} is null`) // the org's own name wins over a platform one
    .limit(1);
  if (!row || (own && row.orgId !== scope.orgId)) throw notFound('Template');
  return row;
}

export async function getTemplate(scope: OrgScope, id: string): Promise<TemplateView> {
  if (BUILTIN_ALIASES.has(id)) {
    assertHostTemplateEnabled();
    return (await listTemplates(scope))[0]!;
  }
  return (await views(scope.orgId, [await findTemplate(scope, id)]))[0]!;
}

/** Credentials are checked up front: a secret that does not exist is a 400 now, not a failed build later. */
async function checkAuth(scope: OrgScope, auth: CreateTemplateBody['registryAuth'] | null | undefined) {
  if (!auth) return;
  const found = await resolveSecrets(scope.orgId, [auth.passwordSecret]);
  if (found.egress?.length) throw badRequest(`Secret ${auth.passwordSecret} is egress-only; registry passwords must be plain secrets (no hosts)`);
}

export const nameTaken = (name: string) => conflict(`A template named ${name} already exists in this org`);

/** A taken (or built-in) name is a 409 before anything is made; the unique index settles a race. */
export async function assertTemplateNameFree(scope: Pick<OrgScope, 'orgId'>, name: string): Promise<void> {
  if (RESERVED.has(name)) throw nameTaken(name);
  const db = await getDb();
  const [taken] = await db
    .select({ id: templates.id })
    .from(templates)
    .where(and(eq(templates.orgId, scope.orgId), eq(templates.name, name), isNull(templates.deletedAt)));
  if (taken) throw nameTaken(name);
}

export async function createTemplate(scope: OrgScope, body: CreateTemplateBody): Promise<TemplateRow> {
  if (RESERVED.has(body.name)) throw nameTaken(body.name);
  const recipe = recipeOf(body);
  const image = recipe ? (recipe.steps[0] as { image: string }).image : body.image!;
  const context = body.contextBase64 !== undefined ? decodeContext(body.contextBase64) : null;
  await checkAuth(scope, body.registryAuth);
  const limits = await orgLimits(scope.orgId);
  const db = await getDb();
  await assertTemplateNameFree(scope, body.name); // before the quota is looked at
  const row = await db
    .transaction(async (tx) => {
      // The plan's maxTemplates, race-free: two creates cannot both take the last slot.
      await claimTemplateSlot(tx, scope.orgId, limits.maxTemplates);
      const [inserted] = await tx
        .insert(templates)
        .values({
          orgId: scope.orgId,
          name: body.name,
          description: body.description ?? '',
          image,
          recipe,
          context: context?.base64 ?? null,
          contextSha256: context?.sha256 ?? null,
          registryUsername: body.registryAuth?.username ?? null,
          registryPasswordSecret: body.registryAuth?.passwordSecret ?? null,
          startCommand: body.startCommand ?? false,
          readyCommand: body.readyCommand ?? null,
          readyTimeoutSec: body.readyTimeoutSec ?? 30,
          isolation: body.isolation ?? null,
          createdBy: scope.actor.label,
        })
        .returning();
      await recordAudit(scope, 'template.create', { type: 'template', id: inserted!.id }, { name: body.name, image, recipe: recipe?.source ?? null }, tx);
      return inserted!;
    })
    .catch((err) => {
      if (isUniqueViolation(err, 'templates_org_name_idx')) throw nameTaken(body.name);
      throw err;
    });
  return row;
}

export async function updateTemplate(scope: OrgScope, id: string, body: UpdateTemplateBody): Promise<TemplateRow> {
  const row = await findTemplate(scope, id, true);
  if (body.name && RESERVED.has(body.name)) throw nameTaken(body.name);
  await checkAuth(scope, body.registryAuth);
  const db = await getDb();
  const set: Partial<typeof templates.$inferInsert> = { updatedAt: new Date() };
  if (body.name !== undefined) set.name = body.name;
  if (body.description !== undefined) set.description = body.description;
  if (body.image !== undefined) set.image = body.image;
  if (body.startCommand !== undefined) set.startCommand = body.startCommand;
  if (body.readyCommand !== undefined) set.readyCommand = body.readyCommand;
  if (body.readyTimeoutSec !== undefined) set.readyTimeoutSec = body.readyTimeoutSec;
  if (body.isolation !== undefined) set.isolation = body.isolation;
  if (row.snapshotId && body.image !== undefined) throw badRequest('A template saved from a snapshot has no image to change');
  const recipe = recipeOf(body);
  if (recipe) Object.assign(set, { recipe, image: (recipe.steps[0] as { image: string }).image });
  else if (body.image !== undefined && row.recipe) throw badRequest('This template is built from a recipe: change its FROM in the dockerfile or steps');
  if (body.registryAuth !== undefined) {
    set.registryUsername = body.registryAuth?.username ?? null;
    set.registryPasswordSecret = body.registryAuth?.passwordSecret ?? null;
  }
  const [updated] = await db
    .transaction(async (tx) => {
      const out = await tx.update(templates).set(set).where(and(eq(templates.id, row.id), eq(templates.orgId, scope.orgId))).returning();
      await recordAudit(scope, 'template.update', { type: 'template', id: row.id }, { fields: Object.keys(body) }, tx);
      return out;
    })
    .catch((err) => {
      if (isUniqueViolation(err, 'templates_org_name_idx')) throw nameTaken(body.name!);
      throw err;
    });
  return updated!;
}

/** A new build context for the next build (a rebuild that uploads one). */
export async function setTemplateContext(scope: OrgScope, row: TemplateRow, b64: string): Promise<TemplateRow> {
  if (!row.recipe) throw badRequest('Only a template built from a recipe takes a build context');
  const ctx = decodeContext(b64);
  const db = await getDb();
  const [updated] = await db
    .update(templates)
    .set({ context: ctx.base64, contextSha256: ctx.sha256, updatedAt: new Date() })
    .where(and(eq(templates.id, row.id), eq(templates.orgId, scope.orgId)))
    .returning();
  return updated!;
}

/** 409 while a sandbox (even stopped: its files sit on the image's layers) or a live demo link uses it. */
export async function deleteTemplate(scope: OrgScope, id: string): Promise<void> {
  const row = await findTemplate(scope, id, true);
  const used = (await usage(scope.orgId, [row.id])).get(row.id)!;
  if (used.sandboxes || used.shares) {
    throw new AppError(
      'conflict',
      `Template ${row.name} is in use by ${used.sandboxes} sandbox${used.sandboxes === 1 ? '' : 'es'} and ${used.shares} demo link${used.shares === 1 ? '' : 's'}; delete those first`,
      { usedBy: used },
    );
  }
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.update(templates).set({ deletedAt: new Date() }).where(and(eq(templates.id, row.id), eq(templates.orgId, scope.orgId)));
    // The org's default falls back to the built-in template.
    await tx.update(orgs).set({ defaultTemplateId: null }).where(and(eq(orgs.id, scope.orgId), eq(orgs.defaultTemplateId, row.id)));
    await recordAudit(scope, 'template.delete', { type: 'template', id: row.id }, { name: row.name }, tx);
  });
  // Its layers leave the runners' disks (those no other template, sandbox or snapshot uses).
  await removeTemplateImages(row.id).catch((err) => logger.warn({ err, templateId: row.id }, 'template images not removed'));
}

/**
 * What a sandbox create needs of a template: the built-in one, or a custom one's ready build.
 * A fork that names no template records its snapshot's sandbox's template (the runner makes it
 * from the snapshot's layers, not from the template) as `builtin`: it pins no build to run.
 */
export type ResolvedTemplate =
  | { builtin: true; id: string }
  | { builtin: false; id: string; template: TemplateRow; build: BuildRow };

/**
 * The template a create means: the one it names (`base` is `debian`), else the org's default
 * (Settings), else the platform's (WARREN_DEFAULT_TEMPLATE). `default` names the built-in host
 * template, refused (400 naming WARREN_HOST_TEMPLATE) while it is off.
 */
export async function templateToCreate(scope: OrgScope, named: string | undefined, storedDefault?: Promise<string | null>): Promise<string> {
  if (named) {
    if (BUILTIN_ALIASES.has(named)) assertHostTemplateEnabled();
    return BUILTIN_ALIASES.has(named) ? BUILTIN_ID : canonical(named);
  }
  // `storedDefault`: the org's default_template_id, when the caller reads the org row anyway.
  const chosen = storedDefault ? usableDefault(await storedDefault) : await orgDefault(scope.orgId);
  if (chosen) return chosen;
  if (platformDefaultTemplate() === 'debian') return DEBIAN;
  if (!hostTemplateEnabled()) throw hostTemplateOff(true);
  return BUILTIN_ID;
}

/** A create's template (from templateToCreate): the built-in one, or a template's ready build. */
export async function resolveTemplate(scope: OrgScope, id: string): Promise<ResolvedTemplate> {
  const db = await getDb();
  if (BUILTIN_ALIASES.has(id)) return { builtin: true, id: BUILTIN_ID };
  // The template and its current build in one read (findTemplate's rule: the org's own name wins).
  const key = canonical(id);
  const [found] = await db
    .select({ row: templateColumns, build: templateBuilds })
    .from(templates)
    .leftJoin(templateBuilds, eq(templateBuilds.id, templates.currentBuildId))
    .where(and(visibleTo(scope.orgId), or(eq(templates.id, key), eq(templates.name, key))))
    .orderBy(sql`${templates.orgId} is null`)
    .limit(1);
  if (!found) throw badRequest(`Unknown template ${id}; GET /api/v1/templates lists the available ones`);
  const { row, build } = found;
  if (!build || (!build.imageDigest && !row.snapshotId)) throw conflict(`Template ${row.name} has no successful build yet (status: ${row.status}); see its builds`);
  return { builtin: false, id: row.id, template: row, build };
}

/**
 * Sets (or with null clears: the platform's default) the template a create that names none
 * uses. Choosing what the platform's default already is stores nothing, so the org follows it.
 */
export async function setDefaultTemplate(scope: OrgScope, idOrName: string | null): Promise<string | null> {
  const db = await getDb();
  let id: string | null = null;
  if (idOrName !== null && BUILTIN_ALIASES.has(idOrName)) {
    assertHostTemplateEnabled();
    id = platformDefaultTemplate() === 'host' ? null : BUILTIN_ID;
  } else if (idOrName !== null) {
    const row = await findTemplate(scope, idOrName);
    if (!row.currentBuildId) throw conflict(`Template ${row.name} has no successful build yet; it cannot be the default`);
    id = isPlatformDefault(row) ? null : row.id;
  }
  await db.transaction(async (tx) => {
    await tx.update(orgs).set({ defaultTemplateId: id }).where(eq(orgs.id, scope.orgId));
    await recordAudit(scope, 'org.default_template', { type: 'org', id: scope.orgId }, { template: id ?? 'platform default' }, tx);
  });
  return id ?? (platformDefaultTemplate() === 'host' ? BUILTIN_ID : DEBIAN);
}

/** The registry password of a template, from the org's vault (never stored with the template). */
export async function registryCredentials(row: TemplateRow): Promise<{ username?: string; password?: string }> {
  if (!row.registryUsername || !row.registryPasswordSecret || !row.orgId) return {};
  const found = await resolveSecrets(row.orgId, [row.registryPasswordSecret]);
  return { username: row.registryUsername, password: found.env?.[row.registryPasswordSecret] ?? '' };
}
