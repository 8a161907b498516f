import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '@/lib/env';
import { logger } from '@/lib/logger';
import { runnerStatus } from '@/lib/runner-status';
import { embeddedRunner } from '@/lib/server/embedded-runner';

/**
 * With no WARREN_RUNNER_URL the console starts its own runner. On a host that cannot run
 * sandboxes, the console keeps going and knows exactly why (shown on the Sandboxes page and in
 * /api/health) instead of failing later.
 */
describe('embedded runner supervision', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-embedded-'));
  const saved = { ...process.env };
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stop?.();
    process.env = saved;
    resetEnvCache();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the preflight problems and their fixes when the host cannot run sandboxes', async () => {
    delete process.env.WARREN_RUNNER_URL;
    delete process.env.WARREN_RUNNER_TOKEN;
    process.env.WARREN_DATA_DIR = dir;
    process.env.WARREN_RUNNER_RUNTIME = 'no-such-oci-runtime';
    resetEnvCache();
    stop = await embeddedRunner({ log: logger.child({ test: 'embedded-runner' }) });
    let status = runnerStatus();
    for (let i = 0; i < 200 && status.state !== 'unavailable'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = runnerStatus();
    }
    expect(status).toEqual({
      state: 'unavailable',
      problems: expect.arrayContaining([{ what: 'OCI runtime "no-such-oci-runtime" not found', fix: 'apt-get install the package that provides no-such-oci-runtime' }]),
    });
    expect(fs.readFileSync(path.join(dir, 'runner-token'), 'utf8').trim().length).toBeGreaterThan(20);
  });
});
