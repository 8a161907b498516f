import { randomBytes } from 'node:crypto';
import { schema } from '@/db';
import { getDb } from '@/db';
import { createApiKey } from '@/lib/api-keys/api-keys';
import { newId } from '@/lib/ids';
import type { Role } from '@/lib/auth/permissions';
import { orgScopeForUser } from '@/lib/auth/resolve-scope';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { createOrg } from '@/lib/orgs/orgs';
import { createUserWithPersonalOrg } from '@/lib/users/users';

/**
 * Test fixtures. Every test makes its own users and orgs with random e-mails and slugs, so test
 * files run in parallel against one database without seeing each other.
 */
import { withSession } from './session';

export const uniq = () => randomBytes(6).toString('hex');
export const PASSWORD = 'correct horse battery';

export async function makeUser(name?: string): Promise<UserScope & { personalSlug: string }> {
  const { user, org } = await createUserWithPersonalOrg({ email: `u-${uniq()}@test.example`, password: PASSWORD, name });
  return { userId: user.id, email: user.email, name: user.name, isPlatformAdmin: false, personalSlug: org.slug };
}

/** A fresh org owned by a fresh user, with the owner's scope. */
export async function makeOrg(): Promise<{ owner: UserScope; scope: OrgScope }> {
  const owner = await makeUser();
  const org = await createOrg(owner, { name: 'Test org', slug: `t-${uniq()}` });
  return { owner, scope: await orgScopeForUser(owner, org.slug) };
}

export async function addMember(scope: OrgScope, role: Role): Promise<{ user: UserScope; scope: OrgScope }> {
  const user = await makeUser();
  const db = await getDb();
  await db.insert(schema.memberships).values({ orgId: scope.orgId, userId: user.userId, role });
  return { user, scope: await orgScopeForUser(user, scope.orgSlug) };
}

export async function makeKey(ownerScope: OrgScope, role: Role = 'developer', name = 'test key'): Promise<string> {
  return (await createApiKey(ownerScope, { name, role })).key;
}

/**
 * A sandbox row of the org, as a create leaves it, without a runner behind it: for services that
 * only read the row (ports, shares) and for tests that point it at a runner of their own.
 */
export async function makeSandboxRow(scope: OrgScope, runnerId = 'local'): Promise<string> {
  const id = newId();
  const db = await getDb();
  await db.insert(schema.sandboxes).values({
    id,
    orgId: scope.orgId,
    runnerId,
    state: 'running',
    cpu: 1,
    memoryMb: 512,
    diskMb: 1024,
    network: { mode: 'none' },
    timeoutSec: 600,
    createdBy: 'test',
  });
  return id;
}

type Init = { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> };

/** A Request as Next would hand it to a route handler. */
export function req(method: string, path: string, init: Init = {}): Request {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return new Request(`http://localhost${path}`, { method, headers, body });
}

export const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

type Route = (r: Request, c: ReturnType<typeof ctx>) => Promise<Response>;

/** Calls a handler and returns status + parsed JSON. */
export async function call(route: Route, request: Request, params: Record<string, string> = {}) {
  const res = await route(await withSession(request), ctx(params));
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected loosely
  const json: any = text ? JSON.parse(text) : null;
  return { status: res.status, json };
}
