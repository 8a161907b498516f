import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runnerNodeArgs } from '@/runner/entry';

/** A host that cannot run sandboxes gets a clear, machine-readable reason and fix, not a stack trace. */
describe('runner preflight', () => {
  it('names what is missing and how to fix it, and exits with code 3', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-preflight-'));
    const res = spawnSync(process.execPath, runnerNodeArgs(), {
      cwd: path.resolve(import.meta.dirname, '..', '..'),
      env: { ...process.env, WARREN_DATA_DIR: dir, WARREN_RUNNER_TOKEN: 'preflight-token-0123456789', WARREN_RUNNER_RUNTIME: 'no-such-oci-runtime' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(res.status).toBe(3);
    const line = res.stderr.split('\n').find((l) => l.startsWith('WARREN_RUNNER_PREFLIGHT '));
    const problems = JSON.parse(line!.slice('WARREN_RUNNER_PREFLIGHT '.length)) as Array<{ what: string; fix: string }>;
    expect(problems).toContainEqual({ what: 'OCI runtime "no-such-oci-runtime" not found', fix: 'apt-get install the package that provides no-such-oci-runtime' });
  });
});
