#!/usr/bin/env node
// The `warren` package bin: runs cli/main.ts (from its bundle, lib/ts-bundle.mjs) from the package
// root, so the CLI finds the same .warren data directory and migrations as the console.
// WARREN_CWD keeps the caller's own directory, against which `warren sandbox cp` resolves local paths.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeArgsFor } from '../lib/ts-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(process.execPath, [...nodeArgsFor(path.join(root, 'cli/main.ts')), ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, WARREN_CWD: process.env.WARREN_CWD || process.cwd() },
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
