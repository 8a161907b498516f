import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, AgentFsError } from '@/runner/agent/client';
import { agentBin, ensureNative } from '@/runner/agent/test-support';

// `warren-agent once --root DIR`: how the runner touches a stopped sandbox's (or a snapshot's)
// files as host root. Every path, `..` and symlink must resolve inside DIR.
let tmp: string;
let root: string;
let canary: string;
const BASE = 400000;

beforeAll(() => {
  ensureNative();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-once-test-'));
  root = path.join(tmp, 'root');
  canary = path.join(tmp, 'canary');
  fs.writeFileSync(canary, 'HOST CANARY');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(root, 'home/user'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'inside\n');
  fs.symlinkSync('/', path.join(root, 'escape'));
  fs.symlinkSync('../../../../../../..', path.join(root, 'home/user/up'));
  fs.symlinkSync(canary, path.join(root, 'abs'));
  fs.symlinkSync(`../../../../../..${canary}`, path.join(root, 'home/user/rel'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof AgentFsError) return e.code;
    throw e;
  }
}

describe('warren-agent once --root', () => {
  const agent = () => AgentClient.forOnce(agentBin, root);

  it('resolves absolute symlinks and .. inside the root', async () => {
    expect((await agent().readFile('/escape/etc/hostname')).toString()).toBe('inside\n');
    expect((await agent().readFile('/home/user/up/etc/hostname')).toString()).toBe('inside\n');
    expect((await agent().readFile('/../../../etc/hostname')).toString()).toBe('inside\n');
    expect(
      await agent()
        .readFile(`../../..${root}/etc/hostname`)
        .catch(() => null),
    ).toBeNull();
    const names = (await agent().list('/escape/')).map((e) => e.name).sort();
    expect(names).toEqual(['abs', 'escape', 'etc', 'home']);
  });

  it('never reaches the host canary', async () => {
    for (const p of [
      '/abs',
      '/home/user/rel',
      canary,
      `/escape${canary}`,
      `/../../..${canary}`,
      `/home/user/up${canary}`,
    ]) {
      expect(await code(agent().readFile(p))).toBe('ENOENT');
    }
    // Writing through a planted symlink replaces the link inside the root; the host file is untouched.
    await agent().write('/abs', 'overwritten');
    expect(fs.readFileSync(canary, 'utf8')).toBe('HOST CANARY');
    expect(fs.readFileSync(path.join(root, 'abs'), 'utf8')).toBe('overwritten');
    await agent().write(`/escape${tmp}/planted`, 'x', { parents: true });
    expect(fs.existsSync(path.join(tmp, 'planted'))).toBe(false);
    expect(fs.existsSync(path.join(root, tmp, 'planted'))).toBe(true);
    await agent().remove('/escape/escape', {});
    expect(fs.existsSync(path.join(root, 'escape'))).toBe(false);
    expect(fs.existsSync('/etc/hostname') || fs.existsSync('/etc/passwd')).toBe(true);
  });

  it('with --uid-base, acts as the sandbox ids shifted into its host range (never host root)', async () => {
    const shifted = AgentClient.forOnce(agentBin, root, { uidBase: BASE, count: 65536 });
    const sroot = () => AgentClient.forOnce(agentBin, root, { uidBase: BASE, count: 65536 });
    fs.chownSync(path.join(root, 'home/user'), BASE + 1000, BASE + 1000);
    fs.writeFileSync(path.join(root, 'etc/shadow'), 'secret', { mode: 0o600 }); // host root's, not the sandbox's
    await shifted.write('/home/user/new', 'n', {}, { uid: 1000, gid: 1000 });
    const st = fs.statSync(path.join(root, 'home/user/new'));
    expect([st.uid, st.gid]).toEqual([BASE + 1000, BASE + 1000]);
    const e = await sroot().stat('/home/user/new', { uid: 1000, gid: 1000 });
    expect([e.uid, e.gid]).toEqual([1000, 1000]);
    expect((await sroot().stat('/etc/hostname')).uid).toBe(65534); // host uid 0 is outside the range
    // Sandbox root (host BASE) cannot read a host-root 0600 file, nor write a root-owned dir.
    expect(await code(sroot().readFile('/etc/shadow'))).toBe('EACCES');
    expect(await code(sroot().write('/etc/x', 'x'))).toBe('EACCES');
    expect(await code(sroot().readFile('/etc/shadow', { uid: 1000, gid: 1000 }))).toBe('EACCES');
  });

  it('refuses a dial: on the host it would reach the host loopback', async () => {
    await expect(agent().dial(22)).rejects.toMatchObject({ code: 'EPERM' });
  });

  it('reports a bad root clearly', async () => {
    const bad = AgentClient.forOnce(agentBin, path.join(tmp, 'nope'));
    await expect(bad.stat('/')).rejects.toThrow(/chroot .*nope/);
  });
});
