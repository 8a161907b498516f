import { and, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { badRequest } from '@/lib/errors';
import { RunnerTimeoutError, RunnerUnavailableError } from '@/lib/runner-client';
import { runnerClient } from '@/lib/runners/registry';
import type { SANDBOX_LIST_STATES } from '@/lib/schemas/sandboxes';
import { isRunnerNotFound } from './runner-errors';
import { applyRunnerInfo, markLost, ownedSandbox } from './store';
import { costOfSubjects } from '@/lib/usage/queries';
import { type SandboxRow, type SandboxView, sandboxView } from './view';

const { sandboxes } = schema;

export type ListOptions = {
  state?: (typeof SANDBOX_LIST_STATES)[number];
  /** Any of these states (the E2B API's `state=running,paused`). */
  states?: (typeof SANDBOX_LIST_STATES)[number][];
  /** key:value pairs; all must match. */
  metadata?: string[];
  /** Search text (lib/schemas/sandboxes.ts listSandboxesQuery.q). */
  q?: string;
  cursor?: string;
  limit?: number;
};

// Microsecond text: a JS Date drops microseconds and the cursor would skip or repeat rows.
const createdAtText = sql<string>`to_char(${sandboxes.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Newest first, keyset-paginated on (created_at, id). Served from the database alone, so a
 * runner outage never breaks listing; the reconciler keeps states fresh. */
export async function listSandboxes(scope: Pick<OrgScope, 'orgId'>, opts: ListOptions = {}) {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 100);
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const filters: (SQL | undefined)[] = [eq(sandboxes.orgId, scope.orgId), isNull(sandboxes.deletedAt)];
  if (opts.state) filters.push(inArray(sandboxes.state, [opts.state]));
  if (opts.states) filters.push(inArray(sandboxes.state, opts.states.length ? opts.states : ['running']));
  for (const pair of opts.metadata ?? []) {
    const i = pair.indexOf(':');
    filters.push(sql`${sandboxes.metadata} @> ${JSON.stringify({ [pair.slice(0, i)]: pair.slice(i + 1) })}::jsonb`);
  }
  if (opts.q) filters.push(searchSql(opts.q));
  if (after) {
    filters.push(
      or(
        lt(sandboxes.createdAt, sql`${after.at}::timestamptz`),
        and(eq(sandboxes.createdAt, sql`${after.at}::timestamptz`), lt(sandboxes.id, after.id)),
      ),
    );
  }
  const db = await getDb();
  const rows = await db
    .select({ row: sandboxes, at: createdAtText })
    .from(sandboxes)
    .where(and(...filters))
    .orderBy(desc(sandboxes.createdAt), desc(sandboxes.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const cost = await costOfSubjects(scope.orgId, page.map((r) => r.row.id));
  return {
    sandboxes: page.map((r) => sandboxView(r.row, cost.get(r.row.id))),
    nextCursor: rows.length > limit && last ? Buffer.from(`${last.at}|${last.row.id}`).toString('base64url') : null,
  };
}

/** LIKE's own wildcards in search text match themselves. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The list's search: the exact id (primary key), an id prefix, part of the name (any case), or
 * part of a metadata key or value. `key:value` is that exact pair, served by the metadata GIN
 * index. Always inside the org's rows (the caller's filters come first), so a search never
 * reaches another org's sandboxes.
 */
function searchSql(q: string): SQL {
  const pair = /^([A-Za-z0-9_.-]{1,64}):(.{1,1024})$/s.exec(q);
  const like = `%${likeLiteral(q)}%`;
  return or(
    eq(sandboxes.id, q.toLowerCase()),
    sql`${sandboxes.id} like ${`${likeLiteral(q.toLowerCase())}%`}`,
    sql`${sandboxes.name} ilike ${like}`,
    sql`exists (select 1 from jsonb_each_text(${sandboxes.metadata}) m where m.key ilike ${like} or m.value ilike ${like})`,
    pair ? sql`${sandboxes.metadata} @> ${JSON.stringify({ [pair[1]!]: pair[2] })}::jsonb` : undefined,
  )!;
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) || !/^[a-z0-9]{1,40}$/.test(id)) throw badRequest('Invalid cursor');
  return { at, id };
}

/** One sandbox with the runner's live state merged in (and saved). When the runner is down the
 * stored state is returned as is: reading never fails because of an outage. */
export async function getSandbox(scope: Pick<OrgScope, 'orgId'>, id: string): Promise<SandboxView> {
  const row = await refreshRow(await ownedSandbox(scope, id));
  return sandboxView(row, (await costOfSubjects(scope.orgId, [id])).get(id));
}

export async function refreshRow(row: SandboxRow): Promise<SandboxRow> {
  try {
    const client = await runnerClient(row.runnerId);
    return await applyRunnerInfo(row, await client.get(row.id));
  } catch (err) {
    if (isRunnerNotFound(err) && row.state !== 'creating') return markLost(row);
    if (err instanceof RunnerUnavailableError || err instanceof RunnerTimeoutError || isRunnerNotFound(err)) return row;
    if ((err as { code?: string }).code === 'runner_unavailable') return row;
    throw err;
  }
}
