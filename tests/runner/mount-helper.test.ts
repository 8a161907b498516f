import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNative, mountBin } from '@/runner/agent/test-support';
import { hostnameLater } from '@/runner/runtime/hostname-later';

let tmp: string;
const mounted: string[] = [];
const B = 300000;
const N = 65536;

function helper(args: string[]) {
  return spawnSync(mountBin, args, { encoding: 'utf8' });
}
function sh(cmd: string, args: string[]) {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}
// Node has no xattr API: python's os module does.
function setxattr(p: string, name: string, value: string) {
  sh('python3', [
    '-c',
    'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)',
    p,
    name,
    value,
  ]);
}
function getxattr(p: string, name: string): string {
  return sh('python3', [
    '-c',
    'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode(), end="")',
    p,
    name,
  ]);
}
function umount(p: string) {
  spawnSync('umount', [p]);
  mounted.splice(mounted.indexOf(p), 1);
}

beforeAll(() => {
  ensureNative();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-mount-test-'));
});
afterAll(() => {
  for (const m of [...mounted].reverse()) spawnSync('umount', ['-l', m]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('warren-mount idmap', () => {
  it('binds read-only with host uid 0 shown as the base', () => {
    const src = path.join(tmp, 'idsrc');
    const dst = path.join(tmp, 'iddst');
    const dst2 = path.join(tmp, 'iddst2');
    fs.mkdirSync(src);
    fs.mkdirSync(dst);
    fs.mkdirSync(dst2);
    fs.writeFileSync(path.join(src, 'f'), 'hi');
    fs.chownSync(path.join(src, 'f'), 0, 0);
    fs.writeFileSync(path.join(src, 'g'), 'g');
    fs.chownSync(path.join(src, 'g'), 1000, 1000);
    const r = helper(['idmap', '--uid-base', String(B), '--count', String(N), src, dst, src, dst2]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    mounted.push(dst, dst2);
    const st = fs.statSync(path.join(dst, 'f'));
    expect([st.uid, st.gid]).toEqual([B, B]);
    expect(fs.statSync(path.join(dst2, 'g')).uid).toBe(B + 1000);
    expect(fs.readFileSync(path.join(dst, 'f'), 'utf8')).toBe('hi');
    expect(() => fs.writeFileSync(path.join(dst, 'new'), 'x')).toThrow(/EROFS/);
    const opts =
      fs
        .readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[4] === dst) ?? '';
    expect(opts).toMatch(/\bro\b.*nosuid.*nodev|ro,nosuid,nodev/);
    expect(opts).toContain('idmapped');
    umount(dst);
    umount(dst2);
    expect(fs.statSync(path.join(dst, '.')).ino).not.toBe(fs.statSync(src).ino);
  });

  it('fails clearly, naming the step', () => {
    const r = helper(['idmap', '--uid-base', String(B), '--count', String(N), path.join(tmp, 'missing'), tmp]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^warren-mount: open_tree .*missing: No such file or directory/);
    expect(helper(['idmap', '--uid-base', 'x']).status).not.toBe(0);
  });
});

describe('warren-mount shiftcopy', () => {
  it('copies an overlay upper dir with ids shifted back, everything preserved but privilege', () => {
    const up = path.join(tmp, 'upper');
    const out = path.join(tmp, 'layer');
    fs.mkdirSync(path.join(up, 'home/user/dir'), { recursive: true });
    const file = path.join(up, 'home/user/tool');
    fs.writeFileSync(file, 'data!');
    fs.chownSync(file, B + 1000, B + 1000);
    fs.chmodSync(file, 0o4755);
    fs.linkSync(file, path.join(up, 'home/user/hardlink'));
    fs.symlinkSync('../etc/x', path.join(up, 'home/user/sym'));
    fs.lchownSync(path.join(up, 'home/user/sym'), B + 1000, B + 1001);
    sh('mknod', [path.join(up, 'home/user/whiteout'), 'c', '0', '0']);
    fs.chownSync(path.join(up, 'home/user/whiteout'), B, B);
    setxattr(path.join(up, 'home/user/dir'), 'trusted.overlay.opaque', 'y');
    fs.chownSync(path.join(up, 'home/user/dir'), 7, 7); // outside the range → nobody
    sh('mkfifo', [path.join(up, 'fifo')]);
    fs.writeFileSync(path.join(up, 'sparse'), '');
    fs.truncateSync(path.join(up, 'sparse'), 64 << 20);
    fs.appendFileSync(path.join(up, 'sparse'), 'end');
    const when = new Date('2001-02-03T04:05:06Z');
    fs.utimesSync(file, when, when);
    fs.chownSync(path.join(up, 'home/user'), B + 1000, B + 1000);
    fs.chmodSync(path.join(up, 'home/user'), 0o1750);
    fs.utimesSync(path.join(up, 'home/user'), when, when);

    // What would grant privilege on the host: setgid dirs, file capabilities, device nodes.
    fs.mkdirSync(path.join(up, 'shared'), { mode: 0o2775 });
    fs.chmodSync(path.join(up, 'shared'), 0o2775);
    fs.writeFileSync(path.join(up, 'capped'), 'c');
    sh('python3', ['-c', 'import os,struct,sys; os.setxattr(sys.argv[1], "security.capability", struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0))', path.join(up, 'capped')]);
    sh('mknod', [path.join(up, 'devnull'), 'c', '1', '3']);
    sh('mknod', [path.join(up, 'disk'), 'b', '7', '0']);

    const r = helper(['shiftcopy', '--uid-base', String(B), '--count', String(N), up, out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The bytes reported are what the layer takes on disk: the 64 MiB sparse file costs a block
    // or two, not 64 MiB (snapshot storage is billed on this figure).
    const reported = Number(r.stdout.trim());
    expect(reported).toBeGreaterThan(5);
    expect(reported).toBeLessThan(1 << 20);

    const st = fs.statSync(path.join(out, 'home/user/tool'));
    expect([st.uid, st.gid, st.mode & 0o7777, st.nlink]).toEqual([1000, 1000, 0o755, 2]); // setuid dropped
    expect(fs.statSync(path.join(out, 'shared')).mode & 0o7777).toBe(0o775);
    expect(() => getxattr(path.join(out, 'capped'), 'security.capability')).toThrow();
    expect(fs.existsSync(path.join(out, 'devnull'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'disk'))).toBe(false);
    expect(st.mtime.toISOString()).toBe(when.toISOString());
    expect(fs.statSync(path.join(out, 'home/user/hardlink')).ino).toBe(st.ino);
    expect(fs.readFileSync(path.join(out, 'home/user/tool'), 'utf8')).toBe('data!');
    const sym = fs.lstatSync(path.join(out, 'home/user/sym'));
    expect(sym.isSymbolicLink()).toBe(true);
    expect([sym.uid, sym.gid]).toEqual([1000, 1001]);
    expect(fs.readlinkSync(path.join(out, 'home/user/sym'))).toBe('../etc/x');
    const wh = fs.lstatSync(path.join(out, 'home/user/whiteout'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect([wh.rdev, wh.uid]).toEqual([0, 0]);
    const dir = fs.statSync(path.join(out, 'home/user/dir'));
    expect([dir.uid, dir.gid]).toEqual([65534, 65534]);
    expect(getxattr(path.join(out, 'home/user/dir'), 'trusted.overlay.opaque')).toBe('y');
    expect(fs.lstatSync(path.join(out, 'fifo')).isFIFO()).toBe(true);
    const home = fs.statSync(path.join(out, 'home/user'));
    expect([home.uid, home.mode & 0o7777]).toEqual([1000, 0o1750]);
    expect(home.mtime.toISOString()).toBe(when.toISOString());
    const sparse = fs.statSync(path.join(out, 'sparse'));
    expect(sparse.size).toBe((64 << 20) + 3);
    expect(sparse.blocks * 512).toBeLessThan(1 << 20); // holes stayed holes
  });

  it('refuses an existing destination', () => {
    const r = helper(['shiftcopy', '--uid-base', String(B), '--count', String(N), tmp, tmp]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/mkdir .*File exists/);
  });
});

describe('warren-mount hostname-later', () => {
  /** A process alone in a UTS namespace of its own, standing in for a sandbox's init. */
  function utsHolder() {
    const child = spawn('unshare', ['--uts', 'sleep', '60'], { stdio: 'ignore' });
    return { child, ns: `/proc/${child.pid}/ns/uts`, hostname: () => sh('nsenter', [`--uts=/proc/${child.pid}/ns/uts`, 'hostname']).trim() };
  }
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('sets the name it is handed later, in the namespace it entered first', async () => {
    const h = utsHolder();
    try {
      // unshare has execed sleep once its namespace is no longer the host's
      await until(() => fs.readlinkSync(h.ns) !== fs.readlinkSync('/proc/self/ns/uts'));
      const pending = hostnameLater(mountBin, h.child.pid!);
      await pending.ready;
      await pending.set('sb-abc123');
      expect(h.hostname()).toBe('sb-abc123');
      expect(os.hostname()).not.toBe('sb-abc123');
    } finally {
      h.child.kill();
    }
  });

  it('refuses a name the runner would never make, and exits quietly when cancelled', async () => {
    const h = utsHolder();
    try {
      await until(() => fs.readlinkSync(h.ns) !== fs.readlinkSync('/proc/self/ns/uts'));
      const before = h.hostname();
      const bad = spawnSync(mountBin, ['hostname-later', h.ns], { input: 'evil name;\n', encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('bad host name');
      const cancelled = spawnSync(mountBin, ['hostname-later', h.ns], { input: '', encoding: 'utf8' });
      expect(cancelled.status).toBe(0);
      expect(h.hostname()).toBe(before);
      const pending = hostnameLater(mountBin, h.child.pid!);
      await pending.ready;
      pending.cancel();
      await expect(pending.set('sb-late')).rejects.toThrow(/hostname-later/);
      expect(h.hostname()).toBe(before);
    } finally {
      h.child.kill();
    }
  });
});
