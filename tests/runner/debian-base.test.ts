import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, startRunner } from './harness';

const sh = (script: string) => ['/bin/sh', '-c', script];

/**
 * The Debian base built by mmdebstrap from Debian's archive (the only archive reachable here),
 * in its smallest variant: a real runner builds it once, a second build of the same spec is the
 * same image at once, and a sandbox made from it runs Debian's own userland where apt-get, as
 * root with egress on, installs a package from the archive.
 */
describe('the Debian base (mmdebstrap, real archive, real containers)', () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    // Packages kept between runs of this test on one host (apt verifies each): the first run
    // downloads ~40 MB from the archive, later ones only the index.
    process.env.WARREN_DEBIAN_CACHE_DIR = '/var/cache/warren-test/debian-debs';
    r = await startRunner();
  });
  afterAll(async () => {
    await r?.destroy();
  });

  it('builds a minbase root filesystem once; the same spec is cached', { timeout: 900_000 }, async () => {
    const first = await r.client.images.debian({ suite: 'bookworm', variant: 'minbase', include: [] });
    expect(first.cached).toBe(false);
    expect(first.image.reference).toBe('debian:bookworm-minbase');
    expect(first.image.layers).toHaveLength(1);
    expect(first.output).toMatch(/mmdebstrap bookworm \(minbase\)/);
    const again = await r.client.images.debian({ suite: 'bookworm', variant: 'minbase', include: [] });
    expect(again).toMatchObject({ cached: true, image: { digest: first.image.digest } });
    // Nothing of the build is left in the runner's work dirs.
    expect(fs.readdirSync(path.join(r.dataDir, 'pulls'))).toEqual([]);
    expect(fs.readdirSync(path.join(r.dataDir, 'layers')).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('apt-get install works as root in a sandbox made from it', { timeout: 900_000 }, async () => {
    const digest = (await r.client.images.debian({ suite: 'bookworm', variant: 'minbase', include: [] })).image.digest;
    const sb = await r.client.create({ image: digest, network: { mode: 'egress' } });
    const os = await r.client.exec(sb.id, { cmd: sh('. /etc/os-release; echo $ID $VERSION_CODENAME; id -un') });
    expect(os.stdout).toBe('debian bookworm\nuser\n');
    const apt = await r.client.exec(sb.id, {
      cmd: sh('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hello >/dev/null && /usr/bin/hello'),
      user: 'root',
      timeoutSec: 600,
    });
    expect(apt.stderr + apt.stdout).toContain('Hello, world!');
    expect(apt.exitCode).toBe(0);
    // The installed program runs as the sandbox user too.
    expect((await r.client.exec(sb.id, { cmd: ['hello'] })).stdout).toBe('Hello, world!\n');
    // `pip install --user` is not refused as an externally-managed system, and what pip and
    // `npm i -g --prefix ~/.local` install for the user is on its PATH.
    const user = await r.client.exec(sb.id, { cmd: sh('cat /etc/pip.conf; echo "$PATH"') });
    expect(user.stdout).toContain('break-system-packages = true');
    expect(user.stdout.trim().split('\n').at(-1)!.split(':')).toContain('/home/user/.local/bin');
    // A login shell (as the terminal starts) too, though /etc/profile sets its own PATH.
    const login = await r.client.exec(sb.id, { cmd: ['bash', '-lc', 'echo "$PATH"'] });
    expect(login.stdout.trim().split(':')).toContain('/home/user/.local/bin');
    await r.client.delete(sb.id);
  });

  it('refuses a package name that is not one', async () => {
    await expect(r.client.images.debian({ suite: 'bookworm', variant: 'minbase', include: ['--hook-dir=/tmp'] })).rejects.toMatchObject({ status: 400 });
  });
});
