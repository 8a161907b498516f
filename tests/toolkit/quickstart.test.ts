import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sandbox } from '@/sdk/src/index';
import { makeTestOrg } from '../console/sandboxes-fixture';
import { agentEnv, warren } from './helpers/warren';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The code block after `<!-- quickstart:<lang> -->` in the README, exactly as a reader copies it. */
function block(lang: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- quickstart:${lang}[^>]*-->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`no quickstart:${lang} block in README.md`);
  return m[1]!;
}

function run(cmd: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...agentEnv(), ...env } as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh org per example, so "nothing left behind" is not disturbed by other files' sandboxes. */
async function freshKey(): Promise<{ key: string; live: () => Promise<number> }> {
  const key = (await makeTestOrg()).developer;
  return { key, live: async () => (await Sandbox.list({ apiUrl: warren().url, apiKey: key })).length };
}

describe("the README's quick start", () => {
  it('the five-line TypeScript example prints 42 and leaves no sandbox behind', async () => {
    const code = block('ts');
    expect(code.split('\n').filter((l) => l.trim()).length).toBe(5); // the import included
    // The package name resolves to this repository's SDK, as an installed @warren/sdk would.
    const file = path.join(ROOT, `.quickstart-${process.pid}.mts`);
    fs.writeFileSync(file, code.replace("'@warren/sdk'", `'${path.join(ROOT, 'sdk/src/index.ts')}'`));
    const org = await freshKey();
    try {
      const r = await run(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), file], { WARREN_API_KEY: org.key });
      expect(r.stderr).toBe('');
      expect(r).toMatchObject({ code: 0, stdout: '42\n\n' }); // the command's line, then console.log's
    } finally {
      fs.rmSync(file, { force: true });
    }
    expect(await org.live()).toBe(0);
  });

  it('the five-line Python example prints 42 with python3 and the standard library alone', async () => {
    const code = block('py');
    expect(code.split('\n').filter((l) => l.trim()).length).toBe(5);
    const org = await freshKey();
    const r = await run('python3', ['-S', '-c', code], { PYTHONPATH: path.join(ROOT, 'sdk-python'), WARREN_API_KEY: org.key });
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: '42\n\n' });
    expect(await org.live()).toBe(0);
  });
});
