import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { closeDb } from '@/db';
import { resetEnvCache } from '@/lib/env';
import { listExecLog } from '@/lib/sandboxes/exec';
import { recordExec, replayExecLogJournals } from '@/lib/sandboxes/exec-log-writer';
import { makeOrg, makeSandboxRow } from './helpers/fixtures';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-execlog-'));
process.env.WARREN_DATA_DIR = dataDir;
resetEnvCache();
afterAll(async () => {
  await closeDb();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The exec log is stored after the response (lib/sandboxes/exec-log-writer.ts), never lost. */
describe('exec log writer', () => {
  it('a read right after a recorded exec sees it, newest first', async () => {
    const { scope } = await makeOrg();
    const id = await makeSandboxRow(scope);
    recordExec(scope.orgId, id, ['echo', 'a'], 0, 1.4);
    recordExec(scope.orgId, id, ['exit', '3'], 3, 2);
    const log = await listExecLog(scope, id);
    expect(log.map((e) => [e.cmd, e.exitCode, e.durationMs])).toEqual([
      ['exit 3', 3, 2],
      ['echo a', 0, 1],
    ]);
  });

  it('what a console killed right after answering had not stored is stored at the next start', async () => {
    const { scope } = await makeOrg();
    const id = await makeSandboxRow(scope);
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/console/helpers/exec-log-child.ts'], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), WARREN_DATA_DIR: dataDir, ORG_ID: scope.orgId, SANDBOX_ID: id },
      cwd: process.cwd(),
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const signal = await new Promise((r) => child.on('close', (_code, sig) => r(sig)));
    expect(signal).toBe('SIGKILL');
    expect(out).toContain('recorded');
    expect(await listExecLog(scope, id)).toEqual([]);

    expect(await replayExecLogJournals()).toBe(2);
    expect((await listExecLog(scope, id)).map((e) => e.cmd).sort()).toEqual(['echo first', 'false']);
    // The journal is gone: a second start stores nothing twice.
    expect(await replayExecLogJournals()).toBe(0);
    expect(await listExecLog(scope, id)).toHaveLength(2);
  }, 60_000);
});
