import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackLayer } from '@/runner/images/layer-unpack';
import { makeTar } from './oci-fixture';

/**
 * A hostile image's gzip bomb: a small blob whose layer inflates far past what the runner allows.
 * The unpack stops at the cap (nothing like the full size reaches the disk) and fails the pull.
 */
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-layer-limits-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function bomb(mb: number): string {
  const blob = path.join(work, `bomb-${mb}.tar.gz`);
  fs.writeFileSync(blob, zlib.gzipSync(makeTar([{ type: 'file', path: 'zeros', data: Buffer.alloc(mb * 1024 * 1024) }]), { level: 9 }));
  return blob;
}

describe('layer size cap', () => {
  it('a layer that inflates past the cap is refused before it is written out', async () => {
    const blob = bomb(64);
    expect(fs.statSync(blob).size).toBeLessThan(1024 * 1024); // 64 MiB of zeros in well under 1 MiB
    const dest = path.join(work, 'refused');
    await expect(unpackLayer(blob, GZIP, dest, 8 * 1024 * 1024)).rejects.toThrow(/more than 8 MiB/);
    const written = fs.existsSync(path.join(dest, 'zeros')) ? fs.statSync(path.join(dest, 'zeros')).size : 0;
    expect(written).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('a layer under the cap unpacks whole', async () => {
    const dest = path.join(work, 'fits');
    const stats = await unpackLayer(bomb(4), GZIP, dest, 8 * 1024 * 1024);
    expect(stats.bytes).toBe(4 * 1024 * 1024);
    expect(fs.statSync(path.join(dest, 'zeros')).size).toBe(4 * 1024 * 1024);
  });
});

describe('a dir replaced by a symlink later in the layer', () => {
  it('setting the dirs\' times at the end never reaches the symlink\'s target outside the layer', async () => {
    const outside = path.join(work, 'host-file');
    fs.writeFileSync(outside, 'host');
    const before = fs.statSync(outside).mtimeMs;
    const blob = path.join(work, 'dir-then-symlink.tar');
    fs.writeFileSync(blob, makeTar([{ type: 'dir', path: 'x' }, { type: 'symlink', path: 'x', target: outside }]));
    const dest = path.join(work, 'dir-then-symlink');
    await unpackLayer(blob, 'application/vnd.oci.image.layer.v1.tar', dest);
    expect(fs.readlinkSync(path.join(dest, 'x'))).toBe(outside);
    expect(fs.statSync(outside).mtimeMs).toBe(before); // the tar's 2023 time never lands on it
  });
});

describe('entry count', () => {
  it('a layer with more entries than allowed is refused (each is a host inode)', async () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ type: 'dir' as const, path: `d${i}` }));
    const blob = path.join(work, 'many.tar');
    fs.writeFileSync(blob, makeTar(many));
    await expect(unpackLayer(blob, 'application/vnd.oci.image.layer.v1.tar', path.join(work, 'many'), undefined, 10)).rejects.toThrow(/more than 10 entries/);
    const fits = await unpackLayer(blob, 'application/vnd.oci.image.layer.v1.tar', path.join(work, 'many-fits'), undefined, 11);
    expect(fits.files).toBe(0);
    expect(fs.readdirSync(path.join(work, 'many-fits'))).toHaveLength(11);
  });
});
