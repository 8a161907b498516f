#!/usr/bin/env node
// The `warren` package bin: runs cli/main.ts through tsx from the package root, so the CLI finds
// the same .warren data directory, migrations and tsconfig paths as the console. WARREN_CWD keeps
// the caller's own directory, against which `warren sandbox cp` resolves local paths.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const r = spawnSync(process.execPath, [tsx, path.join(root, 'cli/main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, WARREN_CWD: process.env.WARREN_CWD || process.cwd() },
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
