import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { nodeArgsFor } from './ts-bundle.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-ts-bundle-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (entry: string) => spawnSync(process.execPath, nodeArgsFor(entry), { encoding: 'utf8' }).stdout.trim();

it('runs an entry from its bundle, rebuilt once a source it imports changes', () => {
  const entry = path.join(dir, 'main.ts');
  fs.writeFileSync(path.join(dir, 'answer.ts'), 'export const answer: number = 1;\n');
  fs.writeFileSync(entry, "import { answer } from './answer';\nconsole.log(answer);\n");
  expect(nodeArgsFor(entry)).toEqual([path.join(dir, 'main.bundle.mjs')]);
  expect(run(entry)).toBe('1');
  const built = fs.statSync(path.join(dir, 'main.bundle.mjs')).mtimeMs;
  expect(run(entry)).toBe('1');
  expect(fs.statSync(path.join(dir, 'main.bundle.mjs')).mtimeMs).toBe(built); // fresh: not built again

  // An edited source (its mtime after the build) is what runs next.
  fs.writeFileSync(path.join(dir, 'answer.ts'), 'export const answer: number = 2;\n');
  fs.utimesSync(path.join(dir, 'answer.ts'), new Date(), new Date(Date.now() + 1000));
  expect(run(entry)).toBe('2');
});
