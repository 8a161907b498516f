import type { TestProject } from 'vitest/node';

/**
 * One real Warren for the toolkit tests (SDKs, CLI, MCP): a real runner (root + runc) and the
 * console's route handlers behind its own front door on a loopback port (tests/console/helpers/
 * next-like.ts), on the test Postgres that tests/setup/postgres.ts made. Every test file reaches
 * it over HTTP and WebSocket with API keys, as a user would; each makes its own sandboxes.
 */
export default async function setup(project: TestProject) {
  process.env.AUTH_SECRET ??= 'test-secret-test-secret-test-secret';
  process.env.WARREN_DATA_DIR ??= `/tmp/warren-toolkit-${process.pid}`;
  process.env.WARREN_LOG_LEVEL ??= 'warn';
  const { useRunner, makeTestOrg, teardown } = await import('../console/sandboxes-fixture');
  const { startConsoleApi } = await import('../console/helpers/next-like');
  const runner = await useRunner();
  const api = await startConsoleApi();
  const org = await makeTestOrg();
  project.provide('warren', { url: api.base, key: org.developer, viewerKey: org.viewer, adminKey: org.admin, orgId: org.scope.orgId });
  return async () => {
    await api.close();
    await teardown(runner);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    warren: { url: string; key: string; viewerKey: string; adminKey: string; orgId: string };
  }
}
