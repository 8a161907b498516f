import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startScript, stop } from './helpers/cli';

/**
 * The embedded database is single-process PGlite: while the console holds it, the CLI must go
 * through the console's unix socket rather than open the files. A stand-in console (boot's
 * database sharing + the first-admin hook) holds the data dir while the CLI runs.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-cli-embedded-'));
const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, WARREN_DATA_DIR: dataDir, WARREN_LOG_LEVEL: 'silent' };
  delete e.DATABASE_URL;
  delete e.WARREN_ADMIN_EMAIL;
  delete e.WARREN_ADMIN_PASSWORD;
  return e;
};

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('warren CLI on the embedded database, while the console holds it', () => {
  it('prints the first admin once, shares the database with the CLI, and keeps data across restarts', async () => {
    const consoleProc = await startScript('tests/console/helpers/fake-console.ts', env(), /ready pglite/);
    let orgSlug = '';
    try {
      const banner = consoleProc.output();
      expect(banner).toMatch(/Warren admin account \(first start: save this now\)/);
      expect(banner).toMatch(/email: {4}admin@warren\.localhost/);
      const password = /password: (\S+)/.exec(banner)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(fs.existsSync(path.join(dataDir, 'db.sock'))).toBe(true);

      const org = await runCli(['org', 'create', '--name', 'Embedded Team', '--owner', 'admin@warren.localhost'], env());
      expect(org.stderr).toBe('');
      expect(org.lastLine).toBe('embedded-team');
      orgSlug = org.lastLine;
      const key = await runCli(['apikey', 'create', '--org', orgSlug], env());
      expect(key.lastLine).toMatch(/^wrn_[A-Za-z0-9]{40}$/);
    } finally {
      await stop(consoleProc.child);
    }

    // Second start: the admin exists, so no password is printed; the CLI's org is still there.
    const again = await startScript('tests/console/helpers/fake-console.ts', env(), /ready pglite/);
    try {
      expect(again.output()).toMatch(/Warren admin account: admin@warren\.localhost/);
      expect(again.output()).toMatch(/password was printed when this console first started/);
      expect(again.output()).not.toMatch(/password: /);
      const dup = await runCli(['org', 'create', '--name', 'Other', '--owner', 'admin@warren.localhost', '--slug', orgSlug], env());
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/already taken/);
    } finally {
      await stop(again.child);
    }
  }, 120_000);
});
