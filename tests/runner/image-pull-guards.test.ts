import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageStore } from '@/runner/images/image-store';
import { startRegistry } from './oci-fixture';

/**
 * A template's image reference names the registry the runner's skopeo (host root) fetches from:
 * a tenant must not be able to point it at the cloud's instance metadata service.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-registry-addr-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function store(): ImageStore {
  const dirs = { layersDir: path.join(work, 'layers'), imagesDir: path.join(work, 'images'), pullsDir: path.join(work, 'pulls') };
  fs.mkdirSync(dirs.layersDir, { recursive: true });
  const s = new ImageStore(dirs, pino({ level: 'silent' }), () => new Set(), ['127.0.0.1']);
  s.init();
  return s;
}

describe('registry addresses', () => {
  it.each([
    '169.254.169.254/latest/meta-data:1',
    '169.254.169.254:80/latest/meta-data',
    // the same address spelled as one decimal number, which the resolver accepts
    '2852039166:80/latest/meta-data',
    'metadata.google.internal/computemetadata/v1',
    '0.0.0.0:5000/x/y',
  ])('%s is refused before anything is fetched', async (reference) => {
    await expect(store().pull({ reference })).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/link-local and metadata/) });
  });

  it('a loopback registry is still pulled from (here: nothing listens, so it is unreachable)', async () => {
    await expect(store().pull({ reference: '127.0.0.1:1/team/tool:1' })).rejects.toMatchObject({ code: 'registry_unreachable' });
  }, 60_000);
});

describe('blob size', () => {
  it('a blob larger than the layer cap stops the download (image_invalid), the store keeps nothing', async () => {
    const registry = await startRegistry();
    try {
      // 12 MiB of random bytes stay ~12 MiB gzipped: the blob itself is over an 8 MiB cap.
      const ref = registry.push('big/blob:1', { layers: [[{ type: 'file', path: 'noise', data: crypto.randomBytes(12 * 1024 * 1024) }]] });
      const dirs = { layersDir: path.join(work, 'big-layers'), imagesDir: path.join(work, 'big-images'), pullsDir: path.join(work, 'big-pulls') };
      fs.mkdirSync(dirs.layersDir, { recursive: true });
      const small = new ImageStore(dirs, pino({ level: 'silent' }), () => new Set(), ['127.0.0.1'], 8 * 1024 * 1024);
      small.init();
      await expect(small.pull({ reference: ref })).rejects.toMatchObject({ code: 'image_invalid', message: expect.stringMatching(/larger than 8 MiB/) });
      expect(fs.readdirSync(dirs.pullsDir)).toEqual([]);
      expect(small.list()).toEqual([]);
    } finally {
      await registry.stop();
    }
  }, 120_000);
});
