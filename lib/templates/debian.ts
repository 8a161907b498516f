import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { type DebianSpec, debianDigest, sameDebianSpec } from '@/runner/images/debian-spec';
import { type BuildBy, startBuild } from './builds';
import { platformDefaultTemplate } from './default-template';
import { type BuildRow, type TemplateRow, templateColumns } from './templates';

const { templates, templateBuilds } = schema;

/**
 * The platform's `debian` template (alias `base`): Debian bookworm built by mmdebstrap from
 * Debian's archive (runner/images/debian-base.ts), so `apt-get install` works as root inside.
 * When it is the platform's default template (WARREN_DEFAULT_TEMPLATE, lib/templates/
 * default-template.ts) the console starts its build at boot (lib/server/base-template.ts);
 * otherwise the first sandbox create that names it does. An admin can rebuild it (POST
 * /api/admin/templates/debian). Creates answer 409 with the build to follow until it is ready.
 */
export const DEBIAN_TEMPLATE = 'debian';

/**
 * What the default template holds: a usable developer userland (python3 with pip and venv,
 * node with npm, git, curl, a compiler). The minbase variant already has bash and coreutils.
 */
export const BASE_PACKAGES = ['bash', 'coreutils', 'ca-certificates', 'curl', 'git', 'python3', 'python3-pip', 'python3-venv', 'nodejs', 'npm', 'build-essential'];

/**
 * WARREN_DEBIAN_VARIANT (minbase) and WARREN_DEBIAN_PACKAGES (comma-separated, added to it).
 * Unset, the packages are BASE_PACKAGES when this template is the platform's default, else
 * ca-certificates alone (a template someone asked for by name, built small).
 */
export function debianSpec(): DebianSpec {
  const variant = (process.env.WARREN_DEBIAN_VARIANT || 'minbase') as DebianSpec['variant'];
  const fallback = platformDefaultTemplate() === 'debian' ? BASE_PACKAGES.join(',') : 'ca-certificates';
  const include = (process.env.WARREN_DEBIAN_PACKAGES ?? fallback)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return { suite: 'bookworm', variant, include };
}

/**
 * The platform row, made if missing (one at a time: platform rows have no org for the unique
 * name index to hold them apart), and a build started when its image is not of the current
 * recipe: none succeeded yet, or the spec (WARREN_DEBIAN_*) or the builder's recipe version
 * changed since (the row then takes the new spec; its last good build serves until the new one
 * is ready). Always with `rebuild` (an admin's action; the runner reuses an image of the same
 * spec). A build in progress is never doubled; a failed one is retried only after
 * WARREN_DEBIAN_RETRY_SEC (`retryAt` says when), unless the spec changed since.
 */
export async function ensureDebianTemplate(
  by: BuildBy,
  opts: { rebuild?: boolean } = {},
): Promise<{ template: TemplateRow; build: BuildRow | null; retryAt?: Date }> {
  const db = await getDb();
  const spec = debianSpec();
  // The common case, on every create that gets the default: built, of the current recipe. One
  // read, no lock (the lock below would serialize every such create).
  if (!opts.rebuild) {
    const [ready] = await db
      .select({ row: templateColumns, digest: templateBuilds.imageDigest })
      .from(templates)
      .innerJoin(templateBuilds, eq(templateBuilds.id, templates.currentBuildId))
      .where(and(isNull(templates.orgId), eq(templates.name, DEBIAN_TEMPLATE), isNull(templates.deletedAt)));
    if (ready?.row.systemBase && sameDebianSpec(ready.row.systemBase, spec) && ready.digest === debianDigest(spec)) return { template: ready.row, build: null };
  }
  const { row, changed } = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('warren:debian-template'))`);
    const [found] = await tx
      .select(templateColumns)
      .from(templates)
      .where(and(isNull(templates.orgId), eq(templates.name, DEBIAN_TEMPLATE), isNull(templates.deletedAt)));
    if (found?.systemBase && sameDebianSpec(found.systemBase, spec)) return { row: found, changed: false };
    if (found) {
      const [updated] = await tx.update(templates).set({ systemBase: spec, updatedAt: new Date() }).where(eq(templates.id, found.id)).returning(templateColumns);
      return { row: updated!, changed: true };
    }
    const [inserted] = await tx
      .insert(templates)
      .values({
        orgId: null,
        name: DEBIAN_TEMPLATE,
        description: 'Debian bookworm from Debian’s archive (mmdebstrap): apt-get install works as root; alias base',
        image: 'debian:bookworm',
        systemBase: spec,
        createdBy: 'platform' in by ? by.platform : by.actor.label,
      })
      .returning(templateColumns);
    return { row: inserted!, changed: true };
  });
  if (changed || opts.rebuild) return { template: row, build: await startBuild(by, row) };
  const [last] = await db.select().from(templateBuilds).where(eq(templateBuilds.templateId, row.id)).orderBy(desc(templateBuilds.version)).limit(1);
  if (last && (last.status === 'queued' || last.status === 'running')) return { template: row, build: null };
  const [current] = row.currentBuildId ? await db.select().from(templateBuilds).where(eq(templateBuilds.id, row.currentBuildId)) : [];
  if (current?.imageDigest === debianDigest(spec)) return { template: row, build: null };
  const retryAt = last?.status === 'failed' && last.finishedAt ? last.finishedAt.getTime() + debianRetryMs() : 0;
  if (retryAt <= Date.now()) return { template: row, build: await startBuild(by, row) };
  return { template: row, build: null, retryAt: new Date(retryAt) };
}

/**
 * A failed build is tried again by a create only this long after it ended (default 10 min,
 * WARREN_DEBIAN_RETRY_SEC): any tenant can name `debian`, and a build that fails fast (the
 * archive unreachable) must not become a loop of mmdebstrap runs one create each. A platform
 * admin's rebuild is never held back.
 */
function debianRetryMs(): number {
  const sec = Number(process.env.WARREN_DEBIAN_RETRY_SEC);
  return (Number.isFinite(sec) && sec >= 0 ? sec : 600) * 1000;
}
