import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushExecLog } from '@/lib/sandboxes/exec-log-writer';
import { getDb } from '@/db';
import { createApiKey } from '@/lib/api-keys/api-keys';
import { createShare } from '@/lib/embeds/shares';
import { createSecret } from '@/lib/secrets/vault';
import { createTemplate } from '@/lib/templates/templates';
import { createInvitation } from '@/lib/invitations/invitations';
import { setOrgLimits } from '@/lib/sandboxes/limits';
import type { RunnerHandle } from '../runner/harness';
import { type FuzzCase, fuzzCases, type OpenApiDoc } from './helpers/fuzz-cases';
import { addMember } from './helpers/fixtures';
import { startConsoleApi } from './helpers/next-like';
import { rawExchange, rawRequest } from './helpers/raw-http';
import { sellablePlan, type StripeWorld, useStripe } from './helpers/stripe';
import { api as callRoute, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';
import * as sandboxesRoute from '@/app/api/v1/sandboxes/route';
import * as snapshotsRoute from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as portsRoute from '@/app/api/v1/sandboxes/[id]/ports/route';

/**
 * Seeded fuzzing of the whole /api/v1 surface as the OpenAPI document describes it, over TCP
 * through the console's real front door and route handlers, authenticated with a real org API
 * key, against a real runner and real ids. Every answer must be < 500, arrive, and (when it is
 * an error) have the `{error:{code,message}}` shape; a refused request must change nothing in
 * the org: rows of every table it could write, and the audit log. FUZZ_SEED replays another run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
// A template create may carry a build context (32 MB by default): capped at 1 MB here, the fuzz's
// 3 MiB "oversized body" is over every route's limit, so each must answer it 413.
process.env.WARREN_TEMPLATE_CONTEXT_MAX_MB = '1';

let runner: RunnerHandle;
let A: TestOrg;
let server: Awaited<ReturnType<typeof startConsoleApi>>;
let stripe: StripeWorld;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [runner, A, server] = await Promise.all([useRunner(), makeTestOrg(), startConsoleApi()]);
  // Thousands of requests a minute on one key are the point here, not abuse: lift its rate limit.
  await setOrgLimits(A.scope.orgId, { apiRequestsPerMinute: 1_000_000 });
  const sb = await callRoute(sandboxesRoute.POST, 'POST', '/sandboxes', { key: A.owner, body: { timeoutSec: 600 } });
  ids.sandbox = sb.json.id;
  const snap = await callRoute(snapshotsRoute.POST, 'POST', `/sandboxes/${ids.sandbox}/snapshots`, { key: A.owner, body: {}, params: { id: ids.sandbox } });
  ids.snapshot = snap.json.id;
  await callRoute(portsRoute.POST, 'POST', `/sandboxes/${ids.sandbox}/ports`, { key: A.owner, body: { port: 8080 }, params: { id: ids.sandbox } });
  ids.share = (await createShare(A.scope, { template: 'default', mode: 'rw' })).share.id;
  ids.invitation = (await createInvitation(A.scope, { role: 'viewer' })).invitation.id;
  ids.apiKey = (await createApiKey(A.scope, { name: 'fuzz spare', role: 'viewer' })).apiKey.id;
  ids.member = (await addMember(A.scope, 'developer')).user.userId;
  // Payments on, against the fake Stripe, so a case that got past validation would reach the
  // SDK (and a refused one must not have made a customer: the org's state includes it).
  stripe = await useStripe();
  ids.plan = (await sellablePlan(stripe, 20)).planId;
  // Its builds pull from a port nothing listens on: they fail fast, never reaching the internet.
  ids.template = (await createTemplate(A.scope, { name: 'fuzz-template', image: '127.0.0.1:1/fuzz/none:1' })).id;
  ids.secret = (await createSecret(A.scope, { name: 'FUZZ_SECRET', value: 'fuzz-secret-value-0123456789' })).name;
}, 120_000);
afterAll(async () => {
  await stripe?.close();
  await server?.close();
  await teardown(runner);
});

/** What a request could have changed in the org, as one comparable string. */
async function orgState(): Promise<string> {
  await flushExecLog(); // an exec's log line is stored just after its answer: count it with it
  const db = await getDb();
  const org = A.scope.orgId;
  const res = await db.execute(sql`select
    (select string_agg(id || ':' || state || ':' || desired_state || ':' || coalesce(deleted_at::text, ''), ',' order by id) from sandboxes where org_id = ${org}) as sandboxes,
    (select count(*) from snapshots where org_id = ${org} and deleted_at is null) as snapshots,
    (select string_agg(id || ':' || role || ':' || coalesce(revoked_at::text, ''), ',' order by id) from api_keys where org_id = ${org}) as keys,
    (select string_agg(id || ':' || coalesce(revoked_at::text, ''), ',' order by id) from invitations where org_id = ${org}) as invitations,
    (select string_agg(id || ':' || coalesce(revoked_at::text, ''), ',' order by id) from terminal_shares where org_id = ${org}) as shares,
    (select string_agg(sandbox_id || ':' || port || ':' || public, ',' order by sandbox_id, port) from sandbox_ports where org_id = ${org}) as ports,
    (select string_agg(user_id || ':' || role, ',' order by user_id) from memberships where org_id = ${org}) as members,
    (select name || ':' || slug || ':' || plan_id || ':' || coalesce(stripe_customer_id, '') from orgs where id = ${org}) as org,
    (select count(*) from audit_events where org_id = ${org}) as audit,
    (select count(*) from exec_log where org_id = ${org}) as exec_log,
    (select string_agg(name || ':' || revision || ':' || description || ':' || hosts::text, ',' order by name) from secrets where org_id = ${org}) as secrets,
    (select string_agg(name || ':' || description || ':' || image || ':' || coalesce(deleted_at::text, ''), ',' order by id) from templates where org_id = ${org}) as templates`);
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Record<string, unknown>[];
  return JSON.stringify(rows[0]);
}

function bases() {
  const byFamily: Record<string, string> = {
    sandboxes: ids.sandbox!,
    snapshots: ids.snapshot!,
    shares: ids.share!,
    invitations: ids.invitation!,
    'api-keys': ids.apiKey!,
    secrets: ids.secret!,
    templates: ids.template!,
  };
  return {
    param: (template: string, name: string) =>
      // A pid no process has: kills and writes answer 404 however the fuzz varies the rest.
      name === 'port' ? '8080' : name === 'pid' ? '999999' : name === 'contextId' ? 'nosuchcontext' : name === 'userId' ? ids.member! : byFamily[template.split('/')[1]!] ?? 'unknown',
    query: {
      'get /sandboxes/{id}/files': { path: '/home/user' },
      'delete /sandboxes/{id}/files': { path: '/tmp/warren-fuzz-missing' },
      'get /sandboxes/{id}/files/content': { path: '/etc/hostname' },
      'put /sandboxes/{id}/files/content': { path: '/home/user/fuzz-upload' },
      'get /snapshots/{id}/files': { path: '/' },
      'get /snapshots/{id}/files/content': { path: '/etc/hostname' },
    },
    body: {
      'patch /org': { name: 'Test org' },
      'delete /org': { confirm: 'not-this-org' },
      'patch /members/{userId}': { role: 'developer' },
      'post /invitations': { role: 'viewer' },
      'post /api-keys': { name: 'fuzz key' },
      'post /sandboxes': {},
      'post /sandboxes/{id}/exec': { cmd: ['true'] },
      'post /sandboxes/{id}/timeout': { timeoutSec: 600 },
      'post /sandboxes/{id}/files/mkdir': { path: '/home/user/fuzz-dir' },
      'post /sandboxes/{id}/snapshots': { name: 'fuzz' },
      'post /sandboxes/{id}/ports': { port: 8081 },
      'patch /sandboxes/{id}/ports/{port}': { public: false },
      'post /sandboxes/{id}/shares': { mode: 'ro' },
      'post /sandboxes/{id}/processes': { cmd: ['true'] },
      'post /sandboxes/{id}/code': { code: '1 + 1' },
      'post /sandboxes/{id}/code/contexts': { language: 'python' },
      'post /sandboxes/{id}/processes/{pid}/stdin': { eof: true },
      'post /shares': { template: 'default' },
      'patch /billing': { spendAlertMicros: null },
      'post /billing/checkout': { planId: ids.plan },
      'post /billing/portal': {},
      'post /secrets': { name: 'FUZZ_NEW', value: 'a fuzzed value' },
      'patch /secrets/{name}': { description: 'fuzzed' },
      'post /templates': { name: 'fuzz-new', image: '127.0.0.1:1/fuzz/new:1' },
      'patch /templates/{id}': { description: 'fuzzed' },
    },
  };
}

async function send(c: FuzzCase) {
  const bytes = rawRequest(c.method, c.path, { key: A.owner, body: c.body }) + (c.junk ?? '');
  return rawExchange(server.port, bytes, { responses: c.junk ? 2 : 1, quietMs: 15_000 });
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('never answers 5xx or hangs, answers errors as JSON, and a refused request changes nothing', async () => {
    const doc = JSON.parse((await send({ label: 'doc', method: 'GET', path: '/api/v1/openapi.json' }))[0]!.body) as OpenApiDoc;
    const cases = fuzzCases(doc, bases(), SEED);
    expect(new Set(cases.map((c) => c.label.split(':')[0])).size).toBeGreaterThanOrEqual(Object.values(doc.paths).flatMap(Object.keys).length);
    const failures: string[] = [];
    let state = await orgState();
    for (const c of cases) {
      const answers = await send(c);
      const after = await orgState();
      const first = answers[0];
      const problem = !first
        ? 'no answer (hang or reset)'
        : first.status >= 500 || (first.status >= 300 && first.status < 400)
          ? `${first.status} ${first.headers.location ?? ''} ${first.body.slice(0, 200)}`
          : c.expect && !c.expect.includes(first.status)
            ? `${first.status}, expected ${c.expect.join('/')}: ${first.body.slice(0, 200)}`
            : first.status >= 400 && !isErrorBody(first.body)
              ? `${first.status} without {error:{code,message}}: ${first.body.slice(0, 200)}`
              : first.status >= 400 && after !== state
                ? `${first.status} but the org changed: ${state} → ${after}`
                : c.junk && (answers.length !== 2 || answers[1]!.status !== 400)
                  ? `junk not answered with its own 400 after the request's answer: ${answers.map((a) => a.status).join(',')}`
                  : c.expect?.includes(405) && !first.headers.allow
                    ? '405 without Allow'
                    : null;
      if (problem) failures.push(`${c.label} → ${problem}`);
      state = after;
    }
    expect(failures, `seed ${SEED}, ${cases.length} cases`).toEqual([]);
    // A hang is each request's own 15 s of silence (send); the whole run only needs to end. About
    // 30 s alone on 2 cores, and over 120 s while the sandboxes chain runs beside it.
  }, 360_000);
});

function isErrorBody(body: string): boolean {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return typeof e?.code === 'string' && typeof e.message === 'string' && e.message.length > 0;
  } catch {
    return false;
  }
}
