import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentEnv, warren } from './helpers/warren';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Runs the machine's python3 with the SDK on its path and an agent's environment. */
function python(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env = { ...agentEnv(extra), PYTHONPATH: `${ROOT}/sdk-python:${ROOT}/sdk-python/tests`, PYTHONUNBUFFERED: '1' } as unknown as NodeJS.ProcessEnv;
    const child = spawn('python3', args, { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('Python SDK (sdk-python/) against a real Warren', () => {
  it('its unittest suite passes with python3 and the standard library alone (sync and asyncio)', async () => {
    // -I would drop PYTHONPATH; -S keeps site-packages out, so a third-party import would fail here.
    const r = await python(['-S', '-m', 'unittest', 'discover', '-s', 'sdk-python/tests', '-v'], { WARREN_VIEWER_KEY: warren().viewerKey });
    expect(r.out).toMatch(/Ran \d+ tests/);
    expect(r.code, r.out).toBe(0);
    expect(Number(/Ran (\d+) tests/.exec(r.out)![1])).toBeGreaterThanOrEqual(7);
    expect(r.out).not.toMatch(/skipped/);
  }, 180_000);
});
