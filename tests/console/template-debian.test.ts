import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as builds from '@/app/api/v1/templates/[id]/builds/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import { getDb, schema } from '@/db';
import { buildsIdle } from '@/lib/templates/builds';
import type { RunnerHandle } from '../runner/harness';
import { freePort } from '../runner/oci-fixture';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/**
 * The platform's `debian` template is built on first use, never at install: the first create
 * naming it makes the platform row and starts its build (mmdebstrap on the runner) and answers
 * 409 with the build to follow. Here the runner's archive is a closed port, so the build fails
 * fast and says why; creates then wait out the retry time before starting a new build. (tests/runner/debian-base.test.ts builds
 * the real thing from Debian's archive.)
 */
let runner: RunnerHandle;
let A: TestOrg;

beforeAll(async () => {
  process.env.WARREN_DEBIAN_MIRROR = `http://127.0.0.1:${await freePort()}/debian`;
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
});
afterAll(async () => {
  await buildsIdle();
  delete process.env.WARREN_DEBIAN_MIRROR;
  const db = await getDb();
  await db.update(schema.templates).set({ deletedAt: new Date() }).where(and(isNull(schema.templates.orgId), eq(schema.templates.name, 'debian'), isNull(schema.templates.deletedAt)));
  await teardown(runner);
});

const platformDebian = async () => {
  const db = await getDb();
  return db.select().from(schema.templates).where(and(isNull(schema.templates.orgId), eq(schema.templates.name, 'debian'), isNull(schema.templates.deletedAt)));
};

describe('the platform debian template', { timeout: 120_000 }, () => {
  it('is made and built on first use; a create answers 409 until it is ready; a failed build says why', async () => {
    const before = (await platformDebian()).length;
    const first = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: 'debian' } });
    expect(first.status).toBe(409);
    expect(first.json.error.message).toMatch(/Template debian has no successful build yet/);
    const rows = await platformDebian();
    expect(rows).toHaveLength(1);
    expect(before).toBe(0);
    const id = rows[0]!.id;
    // Every org sees it, read-only, as a Debian source.
    const view = (await api(oneTemplate.GET, 'GET', '/templates/debian', { key: A.viewer, params: { id: 'debian' } })).json.template;
    expect(view).toMatchObject({ id, public: true, source: { type: 'debian', suite: 'bookworm', variant: 'minbase', include: ['ca-certificates'] } });
    expect((await api(builds.POST, 'POST', `/templates/${id}/builds`, { key: A.owner, params: { id } })).status).toBe(404);

    await buildsIdle();
    const history = (await api(builds.GET, 'GET', `/templates/${id}/builds`, { key: A.viewer, params: { id } })).json.builds;
    expect(history).toHaveLength(1);
    const b = (await api(oneBuild.GET, 'GET', `/templates/${id}/builds/${history[0].id}`, { key: A.viewer, params: { id, buildId: history[0].id } })).json.build;
    expect(b.status).toBe('failed');
    expect(b.error).toMatchObject({ code: 'image_pull_failed', message: expect.stringMatching(/^mmdebstrap failed: /) });
    expect(b.log).toMatch(/mmdebstrap bookworm \(minbase \+ ca-certificates\) from Debian's archive/);

    // A failed build is not retried by every create (any tenant could loop mmdebstrap): the next
    // create says when it will be, and starts nothing.
    const held = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: 'debian' } });
    expect(held.status).toBe(409);
    expect(held.json.error.message).toMatch(/last build failed .*tries it again after \d{4}-\d\d-\d\dT/);
    await buildsIdle();
    expect((await api(builds.GET, 'GET', `/templates/${id}/builds`, { key: A.viewer, params: { id } })).json.builds).toHaveLength(1);

    // Once the retry time has passed, the next create builds it again (one row still).
    process.env.WARREN_DEBIAN_RETRY_SEC = '0';
    try {
      expect((await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: 'debian' } })).status).toBe(409);
    } finally {
      delete process.env.WARREN_DEBIAN_RETRY_SEC;
    }
    await buildsIdle();
    expect(await platformDebian()).toHaveLength(1);
    expect((await api(builds.GET, 'GET', `/templates/${id}/builds`, { key: A.viewer, params: { id } })).json.builds.map((x: { version: number }) => x.version)).toEqual([2, 1]);
  });
});
