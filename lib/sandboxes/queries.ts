import { and, desc, eq, inArray, isNull, lt, or, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { type Db, getDb, schema } from '@/db';
import { compiledRows } from '@/db/compiled-rows';
import { perDbHandle } from '@/db/per-handle';
import { sharedReads } from '@/db/shared-read';
import type { OrgScope } from '@/lib/auth/scope';
import { badRequest } from '@/lib/errors';
import { RunnerTimeoutError, RunnerUnavailableError } from '@/lib/runner-client';
import { runnerClient } from '@/lib/runners/registry';
import type { SANDBOX_LIST_STATES } from '@/lib/schemas/sandboxes';
import { isRunnerNotFound } from './runner-errors';
import { applyRunnerInfo, markLost, ownedSandbox } from './store';
import { costOfSubjects } from '@/lib/usage/queries';
import { type OpenPeriod, openCostSoFar } from '@/lib/usage/live';
import { ratesOfPlan } from '@/lib/usage/org-rates';
import type { RateCard } from '@/lib/usage/rates';
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

type OrgParam = string | Placeholder;

/**
 * What the page's costs need, fetched by the page's own statement (one round trip per list):
 * each row's closed cost (its hourly rollups), its open periods, and the org's plan rates to
 * price those (an uncorrelated subquery: Postgres runs it once per statement). Every subquery
 * is filtered on the org too: usage another org recorded on the same subject id never counts.
 * Periods' timestamps have millisecond precision (db/schema/usage.ts), so epoch milliseconds
 * are exact; round() guards against a double on servers where extract() returns one.
 */
const costColumns = (orgId: OrgParam) => ({
  // Qualified by hand: drizzle leaves columns of a one-table select unqualified, and inside these
  // subqueries a bare "id" would be usage_periods' own.
  closedCost: sql<string>`(select coalesce(sum(h.cost_micros), 0)::text from usage_hourly h where h.org_id = ${orgId} and h.subject = "sandboxes"."id")`,
  openPeriods: sql<string | null>`(select json_agg(json_build_array(p.kind, round(extract(epoch from p.started_at) * 1000)::bigint, p.vcpu_milli, p.memory_mb, p.disk_bytes))::text from usage_periods p where p.org_id = ${orgId} and p.subject = "sandboxes"."id" and p.ended_at is null)`,
  rates: sql<string | null>`(select json_build_array(pl.vcpu_hour_micros::text, pl.memory_gib_hour_micros::text, pl.paused_gib_hour_micros::text, pl.storage_gib_hour_micros::text, pl.active_cpu_hour_micros::text)::text from orgs o join plans pl on pl.id = o.plan_id where o.id = ${orgId})`,
});

const afterCursor = (at: string | Placeholder, id: string | Placeholder) =>
  or(lt(sandboxes.createdAt, sql`${at}::timestamptz`), and(eq(sandboxes.createdAt, sql`${at}::timestamptz`), lt(sandboxes.id, id)));

function pageQuery(db: Db, orgId: OrgParam, filters: (SQL | undefined)[], limit: number | Placeholder) {
  return db
    .select({ row: sandboxes, at: createdAtText, ...costColumns(orgId) })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt), ...filters))
    .orderBy(desc(sandboxes.createdAt), desc(sandboxes.id))
    .limit(limit);
}

/**
 * The two shapes nearly every list request has (a first page, a next page), built into SQL once
 * per database handle rather than per request. Keyed by the handle: tests close and reopen it.
 */
function prepare(db: Db) {
  const orgId = sql.placeholder('orgId');
  const limit = sql.placeholder('limit');
  return {
    first: compiledRows(pageQuery(db, orgId, [], limit).prepare('sandboxes_list_first')),
    next: compiledRows(pageQuery(db, orgId, [afterCursor(sql.placeholder('at'), sql.placeholder('id'))], limit).prepare('sandboxes_list_next')),
  };
}
const preparedFor = perDbHandle(prepare);

type PageRow = { closedCost: string; openPeriods: string | null; rates: string | null };
type OpenPeriodTuple = [OpenPeriod['kind'], number, number, number, number];

/** A row's cost so far: what costOfSubjects would say at `now`, from the page's own columns. */
function rowCost(r: PageRow, rates: () => RateCard, now: Date): number {
  let cost = Number(r.closedCost);
  if (!r.openPeriods) return cost;
  for (const [kind, startedMs, vcpuMilli, memoryMb, diskBytes] of JSON.parse(r.openPeriods) as OpenPeriodTuple[]) {
    cost += openCostSoFar({ kind, startedAt: new Date(startedMs), vcpuMilli, memoryMb, diskBytes }, rates(), now);
  }
  return cost;
}

function planRatesOf(rows: PageRow[]): () => RateCard {
  let card: RateCard | undefined;
  return () => {
    if (!card) {
      const text = rows[0]?.rates;
      const [vcpu, memory, paused, storage, activeCpu] = text ? (JSON.parse(text) as string[]) : [];
      card = ratesOfPlan(text ? { vcpu: vcpu!, memory: memory!, paused: paused!, storage: storage!, activeCpu: activeCpu! } : undefined);
    }
    return card;
  };
}

/** Newest first, keyset-paginated on (created_at, id). Served from the database alone, so a
 * runner outage never breaks listing; the reconciler keeps states fresh. One statement per
 * request: the page and what its costs need (see costColumns). Without `now` (the E2B gateway's
 * lists), one read serves the same page asked by requests before it started (db/shared-read). */
export async function listSandboxes(scope: Pick<OrgScope, 'orgId'>, opts: ListOptions = {}, now?: Date): Promise<ListPage> {
  const db = await getDb();
  if (now) return listSandboxesIn(db, scope, opts, now); // the caller's own instant: never shared
  return sharedPages(db)(listKey(scope, opts), () => listSandboxesIn(db, scope, opts));
}

/** What the page and its JSON are shared under: the org and everything the request asked. */
const listKey = (scope: Pick<OrgScope, 'orgId'>, opts: ListOptions) => `${scope.orgId}\n${JSON.stringify(opts)}`;
type ListPage = Awaited<ReturnType<typeof listSandboxesIn>>;
const sharedPages = perDbHandle(() => sharedReads<ListPage>());
const sharedListJson = perDbHandle(() => sharedReads<string>());

/**
 * The list's answer as JSON (`GET /api/v1/sandboxes`), one read and one serialisation shared by
 * the requests for the same page of the same org that arrived before it started (db/shared-read:
 * never an answer older than the request). Priced when the read starts.
 */
export async function listSandboxesJson(scope: Pick<OrgScope, 'orgId'>, opts: ListOptions = {}): Promise<string> {
  const db = await getDb();
  return sharedListJson(db)(listKey(scope, opts), async () => JSON.stringify(await listSandboxesIn(db, scope, opts)));
}

/** listSandboxes on a given handle (the embedded database's tests open their own). */
export async function listSandboxesIn(db: Db, scope: Pick<OrgScope, 'orgId'>, opts: ListOptions = {}, now = new Date()) {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 100);
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const filters: (SQL | undefined)[] = [];
  if (opts.state) filters.push(inArray(sandboxes.state, [opts.state]));
  if (opts.states) filters.push(inArray(sandboxes.state, opts.states.length ? opts.states : ['running']));
  for (const pair of opts.metadata ?? []) {
    const i = pair.indexOf(':');
    filters.push(sql`${sandboxes.metadata} @> ${JSON.stringify({ [pair.slice(0, i)]: pair.slice(i + 1) })}::jsonb`);
  }
  if (opts.q) filters.push(searchSql(opts.q));
  let rows: Awaited<ReturnType<ReturnType<typeof pageQuery>['execute']>>;
  if (filters.length === 0) {
    const p = preparedFor(db);
    rows = await (after ? p.next({ orgId: scope.orgId, limit: limit + 1, at: after.at, id: after.id }) : p.first({ orgId: scope.orgId, limit: limit + 1 }));
  } else {
    if (after) filters.push(afterCursor(after.at, after.id));
    rows = await pageQuery(db, scope.orgId, filters, limit + 1);
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const rates = planRatesOf(page);
  return {
    sandboxes: page.map((r) => sandboxView(r.row, rowCost(r, rates, now))),
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
