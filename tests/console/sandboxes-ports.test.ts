import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as portById from '@/app/api/v1/sandboxes/[id]/ports/[port]/route';
import * as ports from '@/app/api/v1/sandboxes/[id]/ports/route';
import { closeDb, getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { setOrgLimits } from '@/lib/sandboxes/limits';
import { planFor } from './helpers/billing';
import { makeKey, makeOrg, makeSandboxRow } from './helpers/fixtures';
import { api } from './sandboxes-fixture';

/**
 * Each exposed port is a way into a sandbox from outside, so a sandbox gets a bounded number:
 * the org's maxPortsPerSandbox, from its plan (Free: WARREN_DEFAULT_MAX_PORTS, 10). Exposing a port needs
 * only the sandbox's row, so no runner is involved here.
 */
let scope: OrgScope;
let key: string;
beforeAll(async () => {
  delete process.env.WARREN_DEFAULT_MAX_PORTS;
  ({ scope } = await makeOrg());
  key = await makeKey(scope, 'developer');
});
afterAll(closeDb);

const expose = (id: string, port: number, isPublic = false) =>
  api(ports.POST, 'POST', `/sandboxes/${id}/ports`, { key, body: { port, public: isPublic }, params: { id } });
const stored = async (id: string) => (await (await getDb()).select().from(schema.sandboxPorts).where(eq(schema.sandboxPorts.sandboxId, id))).length;

describe('exposed ports per sandbox', () => {
  it('stops at 10 by default with a 429 naming the limit and the current use; nothing more is stored', async () => {
    const id = await makeSandboxRow(scope);
    for (let p = 8000; p < 8010; p++) expect((await expose(id, p)).status, String(p)).toBe(201);
    for (const p of [8010, 9000, 65535]) {
      const res = await expose(id, p);
      expect(res.status).toBe(429);
      expect(res.json.error).toMatchObject({
        code: 'quota_exceeded',
        message: "This sandbox already exposes 10 ports, your org's limit of 10 per sandbox; unexpose one first",
        details: { limit: 'maxPortsPerSandbox', max: 10, current: 10 },
      });
    }
    expect(await stored(id)).toBe(10);
    // At the cap, an exposed port can still change, and unexposing one makes room.
    expect((await expose(id, 8003, true)).status).toBe(201);
    expect((await api(portById.PATCH, 'PATCH', `/sandboxes/${id}/ports/8004`, { key, body: { public: true }, params: { id, port: '8004' } })).status).toBe(200);
    expect((await api(portById.DELETE, 'DELETE', `/sandboxes/${id}/ports/8000`, { key, params: { id, port: '8000' } })).status).toBe(200);
    expect((await expose(id, 8010)).status).toBe(201);
    expect(await stored(id)).toBe(10);
  });

  it('racing exposes cannot pass the cap together', async () => {
    const id = await makeSandboxRow(scope);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => expose(id, 3000 + i)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    expect(await stored(id)).toBe(10);
  });

  // WARREN_DEFAULT_MAX_PORTS seeds the Free plan (db/seed-plans.ts); from then on the plan decides.
  it('follows the org’s plan, and an org override beats it', async () => {
    await planFor(scope.orgId, { maxPortsPerSandbox: 3 });
    try {
      const id = await makeSandboxRow(scope);
      for (const p of [1, 2, 3]) expect((await expose(id, p)).status).toBe(201);
      expect((await expose(id, 4)).json.error.message).toMatch(/limit of 3 per sandbox/);
      await setOrgLimits(scope.orgId, { maxPortsPerSandbox: 5 });
      for (const p of [4, 5]) expect((await expose(id, p)).status).toBe(201);
      const over = await expose(id, 6);
      expect(over.status).toBe(429);
      expect(over.json.error.details).toEqual({ limit: 'maxPortsPerSandbox', max: 5, current: 5 });
    } finally {
      await setOrgLimits(scope.orgId, { maxPortsPerSandbox: null });
    }
  });
});
