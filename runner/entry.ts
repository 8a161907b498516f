import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

/**
 * How a process starts the runner: `node <args>`. The runner runs from one ESM bundle of its
 * own sources (runner/main.bundle.mjs, packages left to node_modules) rather than through tsx's
 * loader, which compiled and resolved its ~150 modules one by one at every start: measured
 * 2026-12-04, ready on its socket in 1.16 s with 0.85 s of CPU against 1.77 s and 1.73 s. A
 * runner restarts after every crash and every console restart, and the fault batteries start
 * one about 150 times.
 *
 * The bundle is rebuilt (esbuild, ~0.7 s) whenever a source it was built from changed, so an
 * edited runner is what runs; where runner/ is not writable the runner runs through tsx.
 * It lives next to main.ts, so `import.meta.dirname` is the same in both (runner/paths.ts).
 */
export function runnerNodeArgs(): string[] {
  const entry = path.join(import.meta.dirname, 'main.ts');
  try {
    return [bundled(entry)];
  } catch (err) {
    console.warn(`warren: could not bundle the runner (${(err as Error).message}); running it through tsx`);
    return ['--import', 'tsx', entry];
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');

type BundleMeta = { builtAt: number; inputs: string[] };

function bundled(entry: string): string {
  const out = entry.replace(/\.ts$/, '.bundle.mjs');
  const metaFile = entry.replace(/\.ts$/, '.bundle.json');
  if (fresh(out, metaFile)) return out;
  // Sources changed after this instant make the next start rebuild.
  const builtAt = Date.now();
  // Each builder its own temporary files, renamed into place: two consoles (or test files)
  // starting runners at once never read half a bundle.
  const tmp = `${out}.${process.pid}.tmp`;
  const result = buildSync({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(ROOT, p));
  fs.renameSync(tmp, out);
  // After the bundle: a meta that names a bundle not yet in place would pass a stale one.
  const metaTmp = `${metaFile}.${process.pid}.tmp`;
  fs.writeFileSync(metaTmp, JSON.stringify({ builtAt, inputs } satisfies BundleMeta));
  fs.renameSync(metaTmp, metaFile);
  return out;
}

function fresh(out: string, metaFile: string): boolean {
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as BundleMeta;
    if (!fs.existsSync(out) || !meta.inputs.length) return false;
    // A new import changes the importing file, so these mtimes cover new sources as well.
    return meta.inputs.every((p) => fs.statSync(p).mtimeMs < meta.builtAt);
  } catch {
    return false;
  }
}
