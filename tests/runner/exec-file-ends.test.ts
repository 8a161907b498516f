import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasEnded, sleep } from '@/runner/agent/test-support';
import { run } from '@/runner/runtime/exec-file';

const ROOT = path.resolve(import.meta.dirname, '../..');
const alive = (pid: number) => !hasEnded(pid);
/** Every process's parent, from /proc. */
function parents(): Map<number, { ppid: number; name: string }> {
  const out = new Map<number, { ppid: number; name: string }>();
  for (const d of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const m = /^(\d+) \((.*)\) \S+ (\d+)/.exec(fs.readFileSync(`/proc/${d}/stat`, 'utf8'));
      if (m) out.set(Number(m[1]), { ppid: Number(m[3]), name: m[2]! });
    } catch {}
  }
  return out;
}

/** The two `sleep`s started under `root` (the command and the helper it forked), once both run. */
async function sleepsUnder(root: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const all = parents();
    const under = (pid: number) => {
      for (let p = all.get(pid)?.ppid; p; p = all.get(p)?.ppid) if (p === root) return true;
      return false;
    };
    const found = [...all].filter(([pid, { name }]) => name === 'sleep' && under(pid)).map(([pid]) => pid);
    if (found.length === 2) return found;
    await sleep(50);
  }
  throw new Error('the sleeps never started');
}

/** A runner stand-in: starts a command that forks a helper (as mmdebstrap forks apt-get), then is killed with -9. */
async function orphansAfterKill(endsWithRunner: boolean): Promise<number[]> {
  const script = `import { run } from './runner/runtime/exec-file.ts'; run('sh', ['-c', 'sleep 60 & exec sleep 61'], { endsWithRunner: ${endsWithRunner} }).catch(() => {}); setInterval(() => {}, 1000);`;
  const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: 'ignore' });
  const sleeps = await sleepsUnder(runner.pid!);
  runner.kill('SIGKILL');
  await new Promise((r) => runner.once('exit', r));
  return sleeps;
}

/** Long host commands a runner starts for builds and pulls (mmdebstrap, skopeo) end with it. */
describe('host commands that end with the runner', () => {
  it('a command started so ends with everything it forked when the runner is killed with -9; a plain one outlives it (why the option exists)', async () => {
    const tied = await orphansAfterKill(true);
    const plain = await orphansAfterKill(false);
    try {
      for (let i = 0; i < 40 && tied.some(alive); i++) await sleep(50);
      expect(tied.filter(alive)).toEqual([]);
      expect(plain.filter(alive)).toEqual(plain);
    } finally {
      for (const pid of plain) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
  });

  it.each(['timeout', 'abort'] as const)('%s: the command and its helpers end too', async (how) => {
    const marker = `warren-${how}-${process.pid}-${Date.now()}`;
    const ac = new AbortController();
    const opts = how === 'timeout' ? { timeout: 300 } : { signal: ac.signal };
    setTimeout(() => ac.abort(), 300);
    await expect(run('sh', ['-c', `sleep 62 ${marker} & exec sleep 63 ${marker}`], { endsWithRunner: true, ...opts })).rejects.toThrow();
    await sleep(200);
    const left = [...parents()].filter(([pid]) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });

  it('a missing command is still ENOENT (what the callers tell users: install it)', async () => {
    await expect(run('warren-no-such-command', [], { endsWithRunner: true })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(run('sh', ['-c', 'exit 3'], { endsWithRunner: true })).rejects.toMatchObject({ code: 3 });
  });
});
