import fs from 'node:fs';
import type { TestProject } from 'vitest/node';

/**
 * One real Warren for the toolkit tests (SDKs, CLI, MCP): a real runner (root + runc) and the
 * console's route handlers behind its own front door on a loopback port (tests/console/helpers/
 * next-like.ts), on the test Postgres that tests/setup/postgres.ts made. Every test file reaches
 * it over HTTP and WebSocket with API keys, as a user would; each makes its own sandboxes.
 */
export default async function setup(project: TestProject) {
  process.env.AUTH_SECRET ??= 'test-secret-test-secret-test-secret';
  const ownDataDir = process.env.WARREN_DATA_DIR === undefined; // removed at the end (a given one is left)
  process.env.WARREN_DATA_DIR ??= `/tmp/warren-toolkit-${process.pid}`;
  process.env.WARREN_LOG_LEVEL ??= 'warn';
  // The SDKs' sandboxes use the built-in host template, not the Debian base (mmdebstrap, minutes).
  process.env.WARREN_DEFAULT_TEMPLATE ??= 'host';
  const fixture = await import('../console/sandboxes-fixture');
  const { startConsoleApi } = await import('../console/helpers/next-like');
  const { liveRoutes } = await import('@/lib/server/live-routes');
  const { logger } = await import('@/lib/logger');
  // The terminal WebSocket and the preview proxy, as the console's boot registers them.
  await liveRoutes({ log: logger });
  // Exited terminals are forgotten after 1 s here (5 min by default): a test that closes a terminal
  // and waits longer would see it killed if terminals still died with their last viewer.
  const { startRunner } = await import('../runner/harness');
  const { ensureLocalRunnerRegistered } = await import('@/lib/runners/registry');
  const runner = await startRunner({ env: { WARREN_RUNNER_PTY_GRACE_MS: '1000' } });
  process.env.WARREN_RUNNER_URL = runner.client.url;
  process.env.WARREN_RUNNER_TOKEN = runner.token;
  await ensureLocalRunnerRegistered();
  // E2B compatibility as the console's boot hook sets it up: /api/e2b on the console's listener,
  // the envd gateway on a port of its own (its domain names that port, as an operator's would).
  const { addHttpRoute } = await import('@/lib/server/routes');
  const { e2bRestHttp } = await import('@/lib/e2b/rest');
  const { startE2bGateway } = await import('@/lib/server/e2b-compat');
  const gateway = await startE2bGateway(0, '127.0.0.1');
  process.env.WARREN_E2B_DOMAIN = `e2b.localhost:${gateway.port}`;
  (await import('@/lib/env')).resetEnvCache();
  addHttpRoute(e2bRestHttp);
  const api = await startConsoleApi();
  process.env.WARREN_SELF_URL = api.base; // where /api/mcp's tools reach this console's API
  const org = await fixture.makeTestOrg();
  // Every file shares this org's keys: the Free plan's 600 requests a minute per key would make
  // the suite wait on Retry-After as it grows (sdk-errors.test.ts tests the limit in its own org).
  const { setOrgLimits } = await import('@/lib/sandboxes/limits');
  await setOrgLimits(org.scope.orgId, { apiRequestsPerMinute: 100_000 });
  project.provide('warren', { url: api.base, key: org.developer, viewerKey: org.viewer, adminKey: org.admin, orgId: org.scope.orgId });
  project.provide('e2bGateway', { url: `http://127.0.0.1:${gateway.port}`, domain: `e2b.localhost:${gateway.port}` });
  return async () => {
    gateway.server.closeAllConnections();
    gateway.server.close();
    await api.close();
    await fixture.teardown(runner);
    if (ownDataDir) fs.rmSync(process.env.WARREN_DATA_DIR!, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    warren: { url: string; key: string; viewerKey: string; adminKey: string; orgId: string };
    e2bGateway: { url: string; domain: string };
  }
}
