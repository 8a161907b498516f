import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { warrenCli } from './helpers/cli';
import { warren } from './helpers/warren';

describe('warren login, usage and errors (CLI)', () => {
  it('login checks and stores the key (0600) in the config dir; commands then need no environment; logout forgets it', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-cli-home-'));
    onTestFinished(() => fs.rmSync(home, { recursive: true, force: true }));
    const dir = path.join(home, 'warren');
    const env = { WARREN_CONFIG_DIR: dir, WARREN_API_KEY: undefined, WARREN_API_URL: undefined };
    const none = await warrenCli(['sandbox', 'ls'], { env });
    expect(none).toMatchObject({ code: 1, stderr: expect.stringMatching(/run "warren login"/) });
    const bad = await warrenCli(['login', '--api-url', warren().url], { env, input: 'wrn_not-a-real-key\n' });
    expect(bad.code).toBe(1);
    expect(fs.existsSync(path.join(dir, 'config.json'))).toBe(false);
    const ok = await warrenCli(['login', '--api-url', warren().url], { env, input: `${warren().key}\n` });
    expect(ok.stdout).toMatch(/Logged in to .* as a developer of t-/);
    const file = path.join(dir, 'config.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ apiUrl: warren().url, apiKey: warren().key });
    expect((await warrenCli(['sandbox', 'ls', '--json'], { env })).code).toBe(0);
    expect((await warrenCli(['logout'], { env })).stdout).toBe('Logged out\n');
    expect((await warrenCli(['sandbox', 'ls'], { env })).code).toBe(1);
  });

  it('bad usage exits 2 with the usage; API errors exit 1 with the API’s message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['sandbox', 'frobnicate'], /Unknown command: warren sandbox frobnicate/],
      [['sandbox', 'create', '--cpuz', '2'], /Unknown option '--cpuz'/],
      [['sandbox', 'create', '--on-timeout', 'explode'], /--on-timeout is stop, pause or delete/],
      [['sandbox', 'exec', 'x'], /Usage: warren sandbox exec/],
      [['sandbox', 'create', '-e', 'NOEQUALS'], /--env takes KEY=VALUE/],
      [['sandbox', 'cp', 'a', 'b'], /One side of cp is a sandbox path/],
    ];
    for (const [args, msg] of cases) {
      const r = await warrenCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const viewer = await warrenCli(['sandbox', 'create'], { env: { WARREN_API_KEY: warren().viewerKey } });
    expect(viewer).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot do this: needs sandboxes:write/) });
    const quota = await warrenCli(['sandbox', 'create', '--cpu', '64']);
    expect(quota).toMatchObject({ code: 1, stderr: expect.stringMatching(/cpu/i) });
    // The operator commands are still there.
    expect((await warrenCli(['help'])).stdout).toMatch(/org create --name NAME --owner EMAIL/);
  });
});
