/**
 * Templates from images, on the runner: a pull cold (download + unpack of a ~2.5 MB image of two
 * layers from a registry on loopback) and again (layers already stored: a manifest check), then
 * cold start (create → first echo output, no warm pool) from that image vs the host template.
 * Usage: npx tsx bench/template-pull.ts [N=20]
 */
import { startRunner } from '../tests/runner/harness';
import { busyboxLayer, startRegistry } from '../tests/runner/oci-fixture';
import { report, time } from './stats';

const N = Number(process.argv[2] ?? 20);
const [r, reg] = await Promise.all([startRunner({ poolSize: 0 }), startRegistry()]);
try {
  const cold: number[] = [];
  const cached: number[] = [];
  let digest = '';
  for (let i = 0; i < Math.min(N, 10); i++) {
    // A distinct image each round (a different top layer), sharing the busybox layer.
    const ref = reg.push(`bench/img${i}`, { layers: [busyboxLayer(), [{ type: 'file', path: `round-${i}`, data: String(i) }]], config: { Env: ['PATH=/bin'] } });
    if (i === 0) {
      const [ms, img] = await time(() => r.client.images.pull({ reference: ref }));
      cold.push(ms);
      digest = img.digest;
    }
    cached.push((await time(() => r.client.images.pull({ reference: ref })))[0]);
  }
  const startFrom = async (image?: string) => {
    const samples: number[] = [];
    for (let i = 0; i < N; i++) {
      const [ms, id] = await time(async () => {
        const sb = await r.client.create(image ? { image } : {});
        for await (const ev of r.client.execStream(sb.id, { cmd: ['echo', 'ready'] })) if (ev.type === 'stdout') break;
        return sb.id;
      });
      samples.push(ms);
      await r.client.delete(id);
    }
    return samples;
  };
  console.log(report('image pull, cold (2 layers, ~2.5 MB)', cold));
  console.log(report('image pull, base layer stored (new top layer or same image)', cached));
  console.log(report('cold start from the host template (no pool)', await startFrom()));
  console.log(report('cold start from an image template (no pool)', await startFrom(digest)));
} finally {
  await Promise.all([r.destroy(), reg.stop()]);
}
