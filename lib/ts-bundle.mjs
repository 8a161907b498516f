// Plain JavaScript (with ts-bundle.d.mts beside it) so that bin/warren.mjs can use it without tsx.
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * `node <args>` for a TypeScript entry point (runner/main.ts, cli/main.ts): one ESM bundle of its
 * sources beside it (`main.bundle.mjs`, packages left to node_modules) rather than tsx's loader,
 * which compiles and resolves every module one by one at each start. Measured 2026-12-04: the
 * runner ready on its socket in 1.16 s with 0.85 s of CPU against 1.77 s and 1.73 s through tsx.
 * A runner restarts after every crash and console restart (the fault batteries start one ~150
 * times), and every `warren` command is a process.
 *
 * The bundle is rebuilt (esbuild, ~0.7 s) whenever a source it was built from changed, so edited
 * code is what runs. Beside its entry, `import.meta.dirname` is the same in both. Where the
 * directory is not writable, the entry runs through tsx as before.
 */
export function nodeArgsFor(entry) {
  try {
    return [bundled(entry)];
  } catch (err) {
    console.warn(`warren: could not bundle ${path.relative(ROOT, entry)} (${err.message}); running it through tsx`);
    return ['--import', 'tsx', entry];
  }
}

function bundled(entry) {
  const out = entry.replace(/\.ts$/, '.bundle.mjs');
  const metaFile = entry.replace(/\.ts$/, '.bundle.json');
  if (fresh(out, metaFile)) return out;
  // Sources changed after this instant make the next start rebuild.
  const builtAt = Date.now();
  // Each builder its own temporary files, renamed into place: two consoles (or test files)
  // starting at once never read half a bundle.
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
  // After the bundle: a meta naming a bundle not yet in place would pass a stale one.
  const metaTmp = `${metaFile}.${process.pid}.tmp`;
  fs.writeFileSync(metaTmp, JSON.stringify({ builtAt, inputs }));
  fs.renameSync(metaTmp, metaFile);
  return out;
}

function fresh(out, metaFile) {
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (!fs.existsSync(out) || !meta.inputs.length) return false;
    // A new import changes the importing file, so these mtimes cover new sources as well.
    return meta.inputs.every((p) => fs.statSync(p).mtimeMs < meta.builtAt);
  } catch {
    return false;
  }
}
