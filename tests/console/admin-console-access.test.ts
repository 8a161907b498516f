import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgAudit from '@/app/api/admin/orgs/[id]/audit/route';
import * as orgOne from '@/app/api/admin/orgs/[id]/route';
import * as revenue from '@/app/api/admin/revenue/route';
import * as drain from '@/app/api/admin/runners/[id]/drain/route';
import * as undrain from '@/app/api/admin/runners/[id]/undrain/route';
import * as runners from '@/app/api/admin/runners/route';
import * as sandboxOne from '@/app/api/admin/sandboxes/[id]/route';
import * as sandboxStop from '@/app/api/admin/sandboxes/[id]/stop/route';
import * as sandboxes from '@/app/api/admin/sandboxes/route';
import * as disable from '@/app/api/admin/users/[id]/disable/route';
import * as enable from '@/app/api/admin/users/[id]/enable/route';
import * as userOne from '@/app/api/admin/users/[id]/route';
import * as users from '@/app/api/admin/users/route';
import * as debianTemplate from '@/app/api/admin/templates/debian/route';
import { closeDb, getDb, schema } from '@/db';
import type { Role } from '@/lib/auth/permissions';
import type { OrgScope, UserScope } from '@/lib/auth/scope';
import { encryptToken } from '@/lib/runners/token-crypto';
import { adminCall, type Caller } from './helpers/admin';
import { makePlatformAdmin } from './helpers/billing';
import { addMember, makeKey, makeOrg, makeSandboxRow, makeUser, uniq } from './helpers/fixtures';

/**
 * Who may call each new /api/admin route: platform admins only. Every org role, signed in, gets
 * the 404 a missing route would give; API keys (an org's, even its owner's) get a 401. Nothing
 * those calls attempt is stored.
 */
type Route = Parameters<typeof adminCall>[1];
let scope: OrgScope;
let admin: UserScope;
let members: Record<Exclude<Role, 'developer'>, UserScope>;
let ownerKey: string;
let target: UserScope;
let sandboxId: string;
const runnerId = `acc-${uniq()}`;

beforeAll(async () => {
  const org = await makeOrg();
  scope = org.scope;
  admin = await makePlatformAdmin();
  const [a, b, v] = await Promise.all([addMember(scope, 'admin'), addMember(scope, 'billing'), addMember(scope, 'viewer')]);
  members = { owner: org.owner, admin: a.user, billing: b.user, viewer: v.user };
  ownerKey = await makeKey(scope, 'owner');
  target = await makeUser('Target');
  sandboxId = await makeSandboxRow(scope);
  // A runner that can never be placed on (1 MiB of memory, and draining is what we try).
  const db = await getDb();
  await db.insert(schema.runners).values({
    id: runnerId,
    name: 'access test',
    url: 'http://127.0.0.1:9',
    tokenCiphertext: encryptToken('access-test-token-0000'),
    capacity: { sandboxes: 0, maxSandboxes: 1, cpuCommitted: 0, cpuTotal: 1, memoryMbCommitted: 0, memoryMbTotal: 1 },
  });
});
afterAll(async () => {
  const db = await getDb();
  await db.delete(schema.runners).where(eq(schema.runners.id, runnerId));
  await closeDb();
});

const routes = (): Array<[string, Route, string, string, Record<string, string>, unknown?]> => [
  ['GET org', orgOne.GET, 'GET', `/api/admin/orgs/${scope.orgId}`, { id: scope.orgId }],
  ['GET org audit', orgAudit.GET, 'GET', `/api/admin/orgs/${scope.orgId}/audit`, { id: scope.orgId }],
  ['GET users', users.GET, 'GET', '/api/admin/users', {}],
  ['PATCH user', userOne.PATCH, 'PATCH', `/api/admin/users/${target.userId}`, { id: target.userId }, { isPlatformAdmin: true }],
  ['POST disable', disable.POST, 'POST', `/api/admin/users/${target.userId}/disable`, { id: target.userId }, { reason: 'abuse' }],
  ['POST enable', enable.POST, 'POST', `/api/admin/users/${target.userId}/enable`, { id: target.userId }],
  ['GET sandboxes', sandboxes.GET, 'GET', '/api/admin/sandboxes', {}],
  ['POST sandbox stop', sandboxStop.POST, 'POST', `/api/admin/sandboxes/${sandboxId}/stop`, { id: sandboxId }],
  ['DELETE sandbox', sandboxOne.DELETE, 'DELETE', `/api/admin/sandboxes/${sandboxId}`, { id: sandboxId }],
  ['GET runners', runners.GET, 'GET', '/api/admin/runners', {}],
  ['POST drain', drain.POST, 'POST', `/api/admin/runners/${runnerId}/drain`, { id: runnerId }],
  ['POST undrain', undrain.POST, 'POST', `/api/admin/runners/${runnerId}/undrain`, { id: runnerId }],
  ['GET revenue', revenue.GET, 'GET', '/api/admin/revenue', {}],
];

describe('the new /api/admin routes', () => {
  it('are a 404 for every org role signed in, a 401 for API keys and strangers, and change nothing', async () => {
    // Building the platform's Debian template (minutes of mmdebstrap) is only ever refused here.
    const debian: ReturnType<typeof routes>[number] = ['POST debian template', debianTemplate.POST, 'POST', '/api/admin/templates/debian', {}];
    for (const [name, route, method, path, params, body] of [...routes(), debian]) {
      for (const [role, who] of Object.entries(members)) {
        expect((await adminCall(who, route, method, path, params, body)).status, `${name} as the org's ${role}`).toBe(404);
      }
      for (const who of [{ key: ownerKey }, null] as Caller[]) {
        const res = await adminCall(who, route, method, path, params, body);
        expect(res.status, `${name} ${who ? 'with an API key' : 'signed out'}`).toBe(401);
      }
    }
    const db = await getDb();
    const [u] = await db.select().from(schema.users).where(eq(schema.users.id, target.userId));
    expect(u).toMatchObject({ isPlatformAdmin: false, disabledAt: null });
    const [r] = await db.select().from(schema.runners).where(eq(schema.runners.id, runnerId));
    expect(r!.state).toBe('ready');
    const [s] = await db.select().from(schema.sandboxes).where(eq(schema.sandboxes.id, sandboxId));
    expect(s).toMatchObject({ state: 'running', deletedAt: null, desiredState: 'running' });
    // Other files running at the same time may make the platform row (a create that names
    // debian does): what must not exist is a row or a build any caller here asked for.
    const callers = new Set(Object.values(members).map((m) => m.email));
    const platformDebian = await db.select().from(schema.templates).where(and(isNull(schema.templates.orgId), eq(schema.templates.name, 'debian')));
    expect(platformDebian.filter((t) => callers.has(t.createdBy))).toEqual([]);
    const builds = await db.select().from(schema.templateBuilds).where(inArray(schema.templateBuilds.createdBy, [...callers]));
    expect(builds).toEqual([]);
  });

  it('answer a platform admin (the reads, and actions on a user and a runner)', async () => {
    for (const [name, route, method, path, params, body] of routes().filter(([n]) => !/sandbox (stop)|DELETE/.test(n))) {
      const res = await adminCall(admin, route, method, path, params, body);
      // In this order: the target is made an admin, disabled, enabled; the runner drained, undrained.
      expect(res.status, `${name} as a platform admin`).toBe(200);
    }
  });

  it('answer 404 for ids that name nothing, before reading a body', async () => {
    for (const [name, route, method, path, params, body] of routes().filter(([, , , , p]) => 'id' in p)) {
      for (const missing of ['nope0000000000000000', 'x', 'Nope!']) {
        const res = await adminCall(admin, route, method, path.replace(params.id!, missing), { id: missing }, body);
        expect(res.status, `${name} ${missing}`).toBe(404);
      }
    }
  });
});
