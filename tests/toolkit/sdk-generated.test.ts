import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '@/sdk/scripts/generate';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('SDK types stay in step with the API', () => {
  it('regenerating from GET /api/v1/openapi.json changes nothing (else: npm run sdk:generate)', async () => {
    const files = await generate();
    for (const [name, text] of Object.entries(files)) {
      const checked = fs.readFileSync(path.join(ROOT, 'sdk/src/generated', name), 'utf8');
      expect(checked, `sdk/src/generated/${name} drifted from the API: run npm run sdk:generate`).toBe(text);
    }
    // The served document is the one the SDK was generated from.
    const { GET } = await import('@/app/api/v1/openapi.json/route');
    const served = await (await GET(new Request('http://localhost:3000/api/v1/openapi.json'), { params: Promise.resolve({}) })).json();
    expect(served.paths).toEqual(JSON.parse(files['openapi.json']!).paths);
  });

  it('the SDK compiles on its own (web globals, no console imports) and builds for publishing', () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'sdk/tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
    const out = fs.mkdtempSync('/tmp/warren-sdk-build-');
    execFileSync(process.execPath, [tsc, '-p', 'sdk/tsconfig.build.json', '--outDir', out], { cwd: ROOT, stdio: 'pipe' });
    expect(fs.existsSync(path.join(out, 'index.js'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'index.d.ts'), 'utf8')).toContain('Sandbox');
    for (const f of fs.readdirSync(path.join(ROOT, 'sdk/src'))) {
      if (f.endsWith('.ts')) expect(fs.readFileSync(path.join(ROOT, 'sdk/src', f), 'utf8'), f).not.toMatch(/from '@\//);
    }
    fs.rmSync(out, { recursive: true, force: true });
  });
});
