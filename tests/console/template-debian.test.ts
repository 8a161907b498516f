import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oneSandbox from '@/app/api/v1/sandboxes/[id]/route';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as templatesRoute from '@/app/api/v1/templates/route';
import * as oneBuild from '@/app/api/v1/templates/[id]/builds/[buildId]/route';
import * as builds from '@/app/api/v1/templates/[id]/builds/route';
import * as oneTemplate from '@/app/api/v1/templates/[id]/route';
import * as defaultTemplate from '@/app/api/v1/org/default-template/route';
import { getDb, schema } from '@/db';
import { buildsIdle } from '@/lib/templates/builds';
import { BASE_PACKAGES, debianSpec, ensureDebianTemplate } from '@/lib/templates/debian';
import { debianDigest } from '@/runner/images/debian-spec';
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

/** Sets environment variables for one block and puts back what was there. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const env = process.env as Record<string, string | undefined>;
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, env[k]]));
  const put = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) if (x === undefined) delete env[k];
    else env[k] = x;
  };
  put(vars);
  try {
    return await fn();
  } finally {
    put(before);
  }
}

/**
 * What a create that names no template gets (WARREN_DEFAULT_TEMPLATE): by default the platform's
 * Debian template (alias `base`, with the full developer package list), answered 409 with the
 * build to follow until it is built; the built-in host template only when configured, and in
 * production only when WARREN_HOST_TEMPLATE turns it on. The archive is still a closed port here,
 * so every build fails fast: no test builds the full Debian.
 */
describe('the default template', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await buildsIdle();
    const db = await getDb();
    await db.update(schema.templates).set({ deletedAt: new Date() }).where(and(isNull(schema.templates.orgId), eq(schema.templates.name, 'debian'), isNull(schema.templates.deletedAt)));
  });

  it('production refuses the host template unless WARREN_HOST_TEMPLATE turns it on', async () => {
    await withEnv({ NODE_ENV: 'production', WARREN_HOST_TEMPLATE: undefined }, async () => {
      const named = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: 'host' } });
      expect(named.status).toBe(400);
      expect(named.json.error.message).toMatch(/turned off on this server.*WARREN_HOST_TEMPLATE=on/);
      expect(named.json.error.details).toEqual({ setting: 'WARREN_HOST_TEMPLATE' });
      // Not offered either: the list has no built-in template, and it cannot be made the default.
      const list = (await api(templatesRoute.GET, 'GET', '/templates', { key: A.viewer })).json.templates;
      expect(list.some((t: { builtin: boolean }) => t.builtin)).toBe(false);
      expect((await api(oneTemplate.GET, 'GET', '/templates/default', { key: A.viewer, params: { id: 'default' } })).status).toBe(400);
      // A server configured with host as its default refuses creates naming none, saying why.
      await withEnv({ WARREN_DEFAULT_TEMPLATE: 'host' }, async () => {
        const unnamed = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
        expect(unnamed.status).toBe(400);
        expect(unnamed.json.error.message).toMatch(/WARREN_DEFAULT_TEMPLATE=host.*WARREN_HOST_TEMPLATE=on/);
      });
    });
    await withEnv({ NODE_ENV: 'production', WARREN_HOST_TEMPLATE: 'on', WARREN_DEFAULT_TEMPLATE: 'host' }, async () => {
      const made = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
      expect(made.status).toBe(201);
      expect(made.json.template).toBe('default');
      const id = made.json.id;
      expect((await api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } })).status).toBeLessThan(300);
    });
  });

  it('is the Debian template (alias base) with the developer packages; 409 with the build to follow until built', async () => {
    await withEnv({ WARREN_DEFAULT_TEMPLATE: undefined, WARREN_DEBIAN_PACKAGES: undefined }, async () => {
      const first = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
      expect(first.status).toBe(409);
      expect(first.json.error.message).toMatch(/Template debian has no successful build yet/);
      const [row] = await platformDebian();
      expect(row!.systemBase).toEqual({ suite: 'bookworm', variant: 'minbase', include: BASE_PACKAGES });
      expect(BASE_PACKAGES).toEqual(expect.arrayContaining(['python3-pip', 'python3-venv', 'nodejs', 'npm', 'git', 'curl', 'ca-certificates', 'build-essential']));

      // `base` names it; the list and the create dialog show it as the default.
      const base = (await api(oneTemplate.GET, 'GET', '/templates/base', { key: A.viewer, params: { id: 'base' } })).json.template;
      expect(base).toMatchObject({ id: row!.id, name: 'debian', public: true, default: true, source: { type: 'debian' } });
      const list = (await api(templatesRoute.GET, 'GET', '/templates', { key: A.viewer })).json.templates;
      expect(list.filter((t: { default: boolean }) => t.default).map((t: { id: string }) => t.id)).toEqual([row!.id]);
      // No org may take the name.
      const taken = await api(templatesRoute.POST, 'POST', '/templates', { key: A.developer, body: { name: 'base', image: 'docker.io/library/busybox:latest' } });
      expect(taken.status).toBe(409);

      // The build fails (no archive here); `base` then answers what `debian` does: held until the retry time.
      await buildsIdle();
      const held = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: { template: 'base' } });
      expect(held.status).toBe(409);
      expect(held.json.error.message).toMatch(/Template debian's last build failed .*tries it again after/);
      expect((await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.error.message).toBe(held.json.error.message);
      await buildsIdle();
      expect((await api(builds.GET, 'GET', `/templates/${row!.id}/builds`, { key: A.viewer, params: { id: row!.id } })).json.builds).toHaveLength(1);

      // A changed recipe (here its packages) is built at once, retry time or not, in the same row.
      await withEnv({ WARREN_DEBIAN_PACKAGES: 'ca-certificates' }, async () => {
        expect((await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).status).toBe(409);
      });
      await buildsIdle();
      const rows = await platformDebian();
      expect(rows.map((r) => r.id)).toEqual([row!.id]);
      expect(rows[0]!.systemBase).toMatchObject({ include: ['ca-certificates'] });
      const history = (await api(builds.GET, 'GET', `/templates/${row!.id}/builds`, { key: A.viewer, params: { id: row!.id } })).json.builds;
      expect(history.map((x: { version: number }) => x.version)).toEqual([2, 1]);
    });
  });

  it('a build of the current recipe is kept; a changed recipe is built again while the last good build serves', async () => {
    await withEnv({ WARREN_DEBIAN_PACKAGES: 'ca-certificates' }, async () => {
      const db = await getDb();
      const [row] = await platformDebian();
      // The archive is closed here, so a good build is written as the build would record it:
      // the image the runner names by the spec and recipe version.
      const [good] = await db
        .insert(schema.templateBuilds)
        .values({ templateId: row!.id, orgId: null, version: 99, runnerId: 'local', image: 'debian:bookworm', createdBy: 'test', status: 'succeeded', imageDigest: debianDigest(debianSpec()), finishedAt: new Date() })
        .returning();
      await db.update(schema.templates).set({ currentBuildId: good!.id, status: 'ready' }).where(eq(schema.templates.id, row!.id));
      const count = async () => (await db.select().from(schema.templateBuilds).where(eq(schema.templateBuilds.templateId, row!.id))).length;
      const before = await count();
      // What a console start (and every create) does: nothing to build.
      expect((await ensureDebianTemplate({ platform: 'test' })).build).toBeNull();
      expect(await count()).toBe(before);
      // Another package list is another recipe: built again at once; the good build stays current meanwhile.
      await withEnv({ WARREN_DEBIAN_PACKAGES: 'ca-certificates,curl' }, async () => {
        expect((await ensureDebianTemplate({ platform: 'test' })).build).not.toBeNull();
        await buildsIdle();
        const [after] = await platformDebian();
        expect(after!.currentBuildId).toBe(good!.id);
        // Its failure is retried only after the retry time, and never blocks creates of the good build.
        const again = await ensureDebianTemplate({ platform: 'test' });
        expect(again.build).toBeNull();
        expect(again.retryAt).toBeInstanceOf(Date);
      });
      await db.update(schema.templates).set({ currentBuildId: null, status: 'failed' }).where(eq(schema.templates.id, row!.id));
    });
  });

  it('an org may choose the host template as its default while it is on', async () => {
    await withEnv({ WARREN_DEFAULT_TEMPLATE: undefined, WARREN_HOST_TEMPLATE: 'on' }, async () => {
      expect((await api(defaultTemplate.PUT, 'PUT', '/org/default-template', { key: A.admin, body: { template: 'host' } })).json.defaultTemplate).toBe('default');
      const list = (await api(templatesRoute.GET, 'GET', '/templates', { key: A.viewer })).json.templates;
      expect(list.filter((t: { default: boolean }) => t.default).map((t: { name: string }) => t.name)).toEqual(['host']);
      const made = await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} });
      expect(made.status).toBe(201);
      expect(made.json.template).toBe('default');
      await api(oneSandbox.DELETE, 'DELETE', `/sandboxes/${made.json.id}`, { key: A.developer, params: { id: made.json.id } });
      // Once host is off, the org falls back to the platform's default.
      await withEnv({ WARREN_HOST_TEMPLATE: 'off' }, async () => {
        expect((await api(sandboxes.POST, 'POST', '/sandboxes', { key: A.developer, body: {} })).json.error.message).toMatch(/Template debian/);
        const off = (await api(templatesRoute.GET, 'GET', '/templates', { key: A.viewer })).json.templates;
        expect(off.filter((t: { default: boolean }) => t.default).map((t: { name: string }) => t.name)).toEqual(['debian']);
      });
      await api(defaultTemplate.PUT, 'PUT', '/org/default-template', { key: A.admin, body: { template: null } });
    });
  });
});
