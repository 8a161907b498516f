/**
 * Recipe builds on the runner (lib/templates/recipe-build.ts, the console's own step loop):
 * a 3-step recipe on a busybox image (RUN, COPY from a context, RUN) cold, where each RUN and
 * COPY boots a sandbox and commits its writable layer, and again with the cache warm, where every
 * step is CACHED (one runner call per step, nothing runs).
 * Usage: npx tsx bench/template-build.ts [N=5]
 */
import { parseDockerfileRecipe } from '../lib/templates/recipe';
import { runRecipe } from '../lib/templates/recipe-build';
import { startRunner } from '../tests/runner/harness';
import { busyboxLayer, makeTar, startRegistry } from '../tests/runner/oci-fixture';
import { report, time } from './stats';

const N = Number(process.argv[2] ?? 5);
const [r, reg] = await Promise.all([startRunner({ poolSize: 0 }), startRegistry()]);
try {
  const ref = reg.push('bench/busybox', { layers: [busyboxLayer()], config: { Env: ['PATH=/bin'] } });
  const base = await r.client.images.pull({ reference: `${ref}:latest` });
  const tar = makeTar([{ type: 'file', path: 'app.txt', data: 'hello\n' }]);
  const crypto = await import('node:crypto');
  const context = { sha256: crypto.createHash('sha256').update(tar).digest('hex'), base64: tar.toString('base64') };
  const log = async () => {};
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < N; i++) {
    // A distinct first step each round, so every step of the round is cold.
    const recipe = parseDockerfileRecipe(`FROM ${ref}:latest\nRUN echo round-${i}-${Date.now()} > /round\nCOPY app.txt /app/app.txt\nRUN cat /round /app/app.txt > /app/both\n`);
    cold.push((await time(() => runRecipe(r.client, recipe, base, { orgId: null, context }, log)))[0]);
    warm.push((await time(() => runRecipe(r.client, recipe, base, { orgId: null, context }, log)))[0]);
  }
  console.log(report('recipe build, cold (RUN + COPY + RUN: 3 sandboxes, 3 layers)', cold));
  console.log(report('recipe build, cache warm (3 steps CACHED)', warm));
} finally {
  await Promise.all([r.destroy(), reg.stop()]);
}
