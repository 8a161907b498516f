import { closeDb } from '@/db';
import type { Role } from '@/lib/auth/permissions';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { ensureLocalRunnerRegistered } from '@/lib/runners/registry';
import { type RunnerHandle, startRunner } from '../runner/harness';
import { addMember, ctx, makeKey, makeOrg } from './helpers/fixtures';

/**
 * Shared set-up of the sandbox API tests: one real runner per test file (root + runc), made the
 * console's local runner through the environment, and orgs with keys of each role.
 */
export type TestOrg = { scope: OrgScope; ownerUser: UserScope; viewerUser: UserScope; owner: string; admin: string; developer: string; viewer: string };

export async function makeTestOrg(): Promise<TestOrg> {
  const { scope, owner: ownerUser } = await makeOrg();
  const { user: viewerUser } = await addMember(scope, 'viewer');
  const key = (role: Role) => makeKey(scope, role, `${role} key`);
  const [owner, admin, developer, viewer] = await Promise.all([key('owner'), key('admin'), key('developer'), key('viewer')]);
  return { scope, ownerUser, viewerUser, owner, admin, developer, viewer };
}

export async function useRunner(): Promise<RunnerHandle> {
  const runner = await startRunner();
  process.env.WARREN_RUNNER_URL = runner.client.url;
  process.env.WARREN_RUNNER_TOKEN = runner.token;
  await ensureLocalRunnerRegistered();
  return runner;
}

export async function teardown(runner: RunnerHandle | undefined) {
  await runner?.destroy();
  await closeDb();
}

type Route = (r: Request, c: ReturnType<typeof ctx>) => Promise<Response>;
type Opts = { key?: string; body?: unknown; raw?: BodyInit; headers?: Record<string, string>; params?: Record<string, string> };

/** Calls a route handler as Next would; returns status, parsed JSON (when JSON) and the Response. */
export async function api(route: Route, method: string, path: string, opts: Opts = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body };
  if (body instanceof ReadableStream) init.duplex = 'half';
  const res = await route(new Request(`http://localhost/api/v1${path}`, init), ctx(opts.params ?? {}));
  const type = res.headers.get('content-type') ?? '';
  // biome-ignore lint/suspicious/noExplicitAny: inspected loosely in tests
  let json: any = null;
  let text: string | null = null;
  if (type.includes('application/json')) json = await res.json();
  else if (!type.includes('octet-stream')) text = await res.text();
  return { status: res.status, json, text, res };
}
