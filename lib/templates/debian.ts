import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { DebianSpec } from '@/runner/images/debian-base';
import { type BuildBy, startBuild } from './builds';
import { type BuildRow, type TemplateRow, templateColumns } from './templates';

const { templates, templateBuilds } = schema;

/**
 * The platform's `debian` template: Debian bookworm built by mmdebstrap from Debian's archive
 * (runner/images/debian-base.ts), so `apt-get install` works as root inside. Never built at
 * install time: the first sandbox create that names it, or an admin (POST
 * /api/admin/templates/debian), creates the platform row and starts its build; creates answer
 * 409 with the build to follow until it is ready.
 */
export const DEBIAN_TEMPLATE = 'debian';

/** WARREN_DEBIAN_VARIANT (minbase) and WARREN_DEBIAN_PACKAGES (comma-separated, added to it). */
export function debianSpec(): DebianSpec {
  const variant = (process.env.WARREN_DEBIAN_VARIANT || 'minbase') as DebianSpec['variant'];
  const include = (process.env.WARREN_DEBIAN_PACKAGES ?? 'ca-certificates')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return { suite: 'bookworm', variant, include };
}

/**
 * The platform row, made if missing (one at a time: platform rows have no org for the unique
 * name index to hold them apart), and a build started when it has none that could succeed, or
 * always with `rebuild` (an admin's action; the runner reuses an image of the same spec).
 */
export async function ensureDebianTemplate(
  by: BuildBy,
  opts: { rebuild?: boolean } = {},
): Promise<{ template: TemplateRow; build: BuildRow | null; retryAt?: Date }> {
  const db = await getDb();
  const { row, created } = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('warren:debian-template'))`);
    const [found] = await tx
      .select(templateColumns)
      .from(templates)
      .where(and(isNull(templates.orgId), eq(templates.name, DEBIAN_TEMPLATE), isNull(templates.deletedAt)));
    if (found) return { row: found, created: false };
    const [inserted] = await tx
      .insert(templates)
      .values({
        orgId: null,
        name: DEBIAN_TEMPLATE,
        description: 'Debian bookworm from Debian’s archive (mmdebstrap): apt-get install works as root',
        image: 'debian:bookworm',
        systemBase: debianSpec(),
        createdBy: 'platform' in by ? by.platform : by.actor.label,
      })
      .returning();
    return { row: inserted!, created: true };
  });
  if (created || opts.rebuild) return { template: row, build: await startBuild(by, row) };
  if (row.status !== 'failed') return { template: row, build: null };
  const retryAt = await nextRetryAt(row.id);
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

async function nextRetryAt(templateId: string): Promise<number> {
  const db = await getDb();
  const [last] = await db
    .select({ finishedAt: templateBuilds.finishedAt })
    .from(templateBuilds)
    .where(eq(templateBuilds.templateId, templateId))
    .orderBy(desc(templateBuilds.version))
    .limit(1);
  return last?.finishedAt ? last.finishedAt.getTime() + debianRetryMs() : 0;
}
