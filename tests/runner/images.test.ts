import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, startRunner } from './harness';
import { busyboxLayer, euidProgram, freePort, type Registry, startRegistry } from './oci-fixture';

const sh = (script: string) => ['/bin/sh', '-c', script];

/**
 * OCI images from a real registry on loopback (Debian's docker-registry), assembled by the test
 * itself, pulled by a real runner and run as real sandboxes: config honoured, layers shared,
 * hostile layer content neutralised or refused, and every pull error clear and leaving nothing.
 */
describe('images from a registry (real registry, real containers)', () => {
  let r: RunnerHandle;
  let reg: Registry;
  let priv: Registry;
  // A host dir a hostile layer aims at: nothing may ever appear in it.
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-escape-target-'));
  fs.writeFileSync(path.join(target, 'marker'), 'host secret\n');

  beforeAll(async () => {
    [r, reg, priv] = await Promise.all([startRunner(), startRegistry(), startRegistry({ user: 'ci', password: 's3cret-pass' })]);
  });
  afterAll(async () => {
    await Promise.all([r?.destroy(), reg?.stop(), priv?.stop()]);
    fs.rmSync(target, { recursive: true, force: true });
  });

  const layersDir = () => path.join(r.dataDir, 'layers');
  const leftovers = () => [
    ...fs.readdirSync(layersDir()).filter((n) => n.includes('.tmp')),
    ...fs.readdirSync(path.join(r.dataDir, 'pulls')),
  ];

  it('runs an image with its Env and WorkingDir; whiteouts, opaque dirs and hard links apply', async () => {
    const ref = reg.push('team/tool', {
      layers: [
        [
          ...busyboxLayer(),
          { type: 'dir', path: 'work/', uid: 1000, gid: 1000 },
          { type: 'file', path: 'etc/removed-later', data: 'old\n' },
          { type: 'dir', path: 'data/opq/' },
          { type: 'file', path: 'data/opq/old', data: 'old\n' },
        ],
        [
          { type: 'file', path: 'etc/.wh.removed-later' },
          { type: 'file', path: 'data/opq/.wh..wh..opq' },
          { type: 'file', path: 'data/opq/new', data: 'new\n' },
          { type: 'hardlink', path: 'data/link', target: 'data/opq/new' },
        ],
      ],
      config: { Env: ['PATH=/bin', 'GREETING=hello from the image'], WorkingDir: '/work', Cmd: ['/bin/sh'] },
    });
    const img = await r.client.images.pull({ reference: `${ref}:latest` });
    expect(img.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(img.layers).toHaveLength(2);
    expect(img.config).toMatchObject({ workingDir: '/work', cmd: ['/bin/sh'], env: { GREETING: 'hello from the image' } });

    const sb = await r.client.create({ image: img.digest, template: 'tool@1' });
    expect(sb).toMatchObject({ template: 'tool@1', image: img.digest, workdir: '/work' });
    const out = await r.client.exec(sb.id, { cmd: sh('pwd; echo "$GREETING"; id -u; ls /data/opq; test -e /etc/removed-later || echo gone; cat /data/link; stat -c %h /data/link') });
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n')).toEqual(['/work', 'hello from the image', '1000', 'new', 'gone', 'new', '2', '']);
    // The caller's env wins over the image's; root works; the user's home exists.
    const sb2 = await r.client.create({ image: img.digest, env: { GREETING: 'mine' } });
    const out2 = await r.client.exec(sb2.id, { cmd: sh('echo "$GREETING"; id -u; cd ~ && pwd'), user: 'root' });
    expect(out2.stdout).toBe('mine\n0\n/root\n');
    expect((await r.client.exec(sb2.id, { cmd: sh('cd ~ && pwd && touch f') })).stdout).toBe('/home/user\n');

    // Pulled again (same digest): nothing is unpacked twice; the two sandboxes share the layer dirs.
    const again = await r.client.images.pull({ reference: `${ref}:latest` });
    expect(again.layers).toEqual(img.layers);
    expect(fs.readdirSync(layersDir()).filter((n) => n.startsWith('img-') && !n.endsWith('.size'))).toHaveLength(2);
    // Deleting an image in use forgets it, but the layers its sandboxes stand on stay until unused.
    await r.client.images.delete(img.digest);
    expect((await r.client.images.list()).map((i) => i.digest)).not.toContain(img.digest);
    for (const l of img.layers) expect(fs.existsSync(path.join(layersDir(), l))).toBe(true);
    expect((await r.client.exec(sb.id, { cmd: sh('echo "$GREETING"') })).stdout).toBe('hello from the image\n');
    await r.client.delete(sb.id);
    await r.client.delete(sb2.id);
  });

  it('setuid bits, device nodes and absolute symlinks in a layer give nothing', async () => {
    const ref = reg.push('team/hostile', {
      layers: [
        [
          ...busyboxLayer(),
          { type: 'file', path: 'bin/euid', data: euidProgram(), mode: 0o4755 },
          { type: 'dir', path: 'evil/' },
          { type: 'char', path: 'evil/sda', major: 8, minor: 0 },
          { type: 'char', path: 'evil/mem', major: 1, minor: 1 },
          { type: 'symlink', path: 'hostroot', target: '/' },
          { type: 'symlink', path: 'hostmarker', target: `${target}/marker` },
        ],
      ],
      config: { Env: ['PATH=/bin'] },
    });
    const img = await r.client.images.pull({ reference: ref });
    const sb = await r.client.create({ image: img.digest });
    const run = (script: string, user: 'user' | 'root' = 'user') => r.client.exec(sb.id, { cmd: sh(script), user });
    // The setuid bit was cleared at unpack; a setuid-root copy made inside is ignored too (nosuid).
    expect((await run('stat -c %a /bin/euid; /bin/euid')).stdout).toBe('755\n1000\n');
    expect((await run('cp /bin/euid /tmp/e && chmod 4755 /tmp/e && stat -c %a /tmp/e && /tmp/e', 'root')).stdout).toBe('4755\n0\n');
    expect((await run('/tmp/e')).stdout).toBe('1000\n');
    // Device nodes never made it; an absolute symlink resolves inside the sandbox's own root.
    expect((await run('ls -a /evil')).stdout).toBe('.\n..\n');
    expect((await run('cat /hostroot/etc/passwd')).stdout).toContain('user:x:1000');
    const marker = await run('cat /hostmarker');
    expect(marker.exitCode).not.toBe(0);
    expect(marker.stdout).toBe('');
    await r.client.delete(sb.id);
  });

  it.each([
    ['a `..` entry', [{ type: 'file' as const, path: '../escape', data: 'x' }]],
    ['a file through an absolute symlink', [{ type: 'symlink' as const, path: 'out', target }, { type: 'file' as const, path: 'out/pwned', data: 'x' }]],
    ['a file through a relative symlink', [{ type: 'symlink' as const, path: 'up', target: '../../../../../../..' }, { type: 'file' as const, path: `up${target}/pwned`, data: 'x' }]],
    ['a hard link to a host file', [{ type: 'hardlink' as const, path: 'stolen', target: `${target}/marker` }]],
    ['a hard link out of the layer', [{ type: 'hardlink' as const, path: 'stolen', target: '../../../../../../../etc/shadow' }]],
    ['a whiteout with ..', [{ type: 'file' as const, path: 'etc/.wh...' }]],
  ])('refuses a layer with %s and leaves nothing', async (_name, items) => {
    const ref = reg.push(`evil/${Math.random().toString(36).slice(2, 8)}`, { layers: [busyboxLayer(), items] });
    const before = (await r.client.images.list()).length;
    const err = await r.client.images.pull({ reference: ref }).catch((e) => e);
    expect(err).toMatchObject({ status: 422, code: 'image_invalid' });
    expect(err.message).toMatch(/refuses|outside|symlink|hard link|whiteout/);
    expect(fs.readdirSync(target)).toEqual(['marker']);
    expect(fs.readFileSync(path.join(target, 'marker'), 'utf8')).toBe('host secret\n');
    expect((await r.client.images.list()).length).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('pull errors are clear and leave nothing half-made', async () => {
    const cases: Array<[string, object]> = [
      ['Not A Reference!', { status: 400 }],
      ['-oProxyCommand=x', { status: 400 }],
      [`${reg.host}/team/tool:no-such-tag`, { status: 404, code: 'image_not_found' }],
      [`${reg.host}/nobody/here:1`, { status: 404, code: 'image_not_found' }],
      [`127.0.0.1:${await freePort()}/down/registry:1`, { status: 424, code: 'registry_unreachable' }],
    ];
    for (const [reference, expected] of cases) {
      const err = await r.client.images.pull({ reference }).catch((e) => e);
      expect(err, reference).toMatchObject(expected);
      expect(err.message.length).toBeLessThan(500);
    }
    // Its first layer is unpacked (complete) before the second turns out corrupt: no layer stays
    // that no image uses.
    const corrupt = reg.push('team/corrupt', {
      layers: [[{ type: 'file', path: 'only-here', data: 'first layer' }], [{ type: 'file', path: 'a', data: 'x'.repeat(100_000) }]],
      corruptLayer: 1,
    });
    const err = await r.client.images.pull({ reference: corrupt }).catch((e) => e);
    expect(err).toMatchObject({ status: 422, code: 'image_invalid' });
    expect(err.message).toMatch(/corrupt|truncated|unexpected end/i);
    expect(leftovers()).toEqual([]);
    const stored = fs.readdirSync(layersDir()).filter((n) => n.startsWith('img-') && !n.includes('.'));
    const named = new Set((await r.client.images.list()).flatMap((i) => i.layers));
    expect(stored.filter((n) => !named.has(n))).toEqual([]);
  });

  it('pulls from a private registry with credentials, and only with them', async () => {
    // An image whose passwd has no uid 1000: the sandbox gets a `user` entry of its own.
    const ref = priv.push(
      'private/app',
      { layers: [busyboxLayer(), [{ type: 'file', path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' }]], config: { Env: ['PATH=/bin'] } },
      'ci:s3cret-pass',
    );
    await expect(r.client.images.pull({ reference: ref })).rejects.toMatchObject({ status: 422, code: 'registry_auth_failed' });
    await expect(r.client.images.pull({ reference: ref, username: 'ci', password: 'wrong' })).rejects.toMatchObject({ code: 'registry_auth_failed' });
    const img = await r.client.images.pull({ reference: ref, username: 'ci', password: 's3cret-pass' });
    const sb = await r.client.create({ image: img.digest });
    expect((await r.client.exec(sb.id, { cmd: sh('echo ok; whoami; grep -c :1000: /etc/passwd') })).stdout).toBe('ok\nuser\n1\n');
    await r.client.delete(sb.id);
  });

  it('a crash mid-pull leaves temp dirs that the next start removes; unused images are deleted with their layers', async () => {
    fs.mkdirSync(path.join(r.dataDir, 'pulls', 'deadbeef', 'layout'), { recursive: true });
    fs.mkdirSync(path.join(layersDir(), 'img-0123.tmp-abcd', 'usr'), { recursive: true });
    await r.restart();
    expect(leftovers()).toEqual([]);
    const images = await r.client.images.list();
    expect(images.length).toBeGreaterThan(0);
    for (const img of images) await r.client.images.delete(img.digest);
    expect(await r.client.images.list()).toEqual([]);
    expect(fs.readdirSync(layersDir()).filter((n) => n.startsWith('img-'))).toEqual([]);
    // The host template is untouched by all of this.
    const sb = await r.client.create();
    expect((await r.client.exec(sb.id, { cmd: ['python3', '-c', 'print(1)'] })).stdout).toBe('1\n');
  });
});
