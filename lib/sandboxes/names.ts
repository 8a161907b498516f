import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { notFound } from '@/lib/errors';
import { SANDBOX_ID_SHAPE, SANDBOX_NAME_SHAPE } from './name-rule';

/** The id a path segment names: itself when it has an id's shape, else the live sandbox of that name. */
export async function sandboxIdFor(scope: Pick<OrgScope, 'orgId'>, ref: string): Promise<string> {
  if (SANDBOX_ID_SHAPE.test(ref)) return ref;
  // Ids minted before this rule are still 20 characters; other shapes are names or nothing.
  if (!SANDBOX_NAME_SHAPE.test(ref)) throw notFound('Sandbox');
  const db = await getDb();
  const { sandboxes } = schema;
  const [row] = await db
    .select({ id: sandboxes.id })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, scope.orgId), eq(sandboxes.name, ref), isNull(sandboxes.deletedAt)));
  if (!row) throw notFound('Sandbox');
  return row.id;
}

/** Postgres's unique violation on the per-org name index: the name is taken by a live sandbox. */
export function isNameTaken(err: unknown): boolean {
  type PgError = { code?: string; constraint_name?: string; constraint?: string; message?: string };
  const e = err as PgError & { cause?: PgError };
  const c = e.cause ?? e;
  // postgres.js names the constraint in constraint_name, PGlite in constraint; both say it in the message.
  return c.code === '23505' && `${c.constraint_name ?? ''} ${c.constraint ?? ''} ${c.message ?? ''}`.includes('sandboxes_org_name_idx');
}
