import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '@/runner/runtime/exec-file';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has ended
  } catch {
    return false;
  }
};
/** The `sleep` child of `parent`, once it has started. */
async function sleepChildOf(parent: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    for (const d of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const m = /^(\d+) \((.*)\) \S+ (\d+)/.exec(stat);
        if (m && m[2] === 'sleep' && Number(m[3]) === parent) return Number(m[1]);
      } catch {}
    }
    await sleep(50);
  }
  throw new Error('the sleep never started');
}

/** A runner stand-in: a process that starts `sleep 60` through run() and is then killed with -9. */
async function orphanAfterKill(endsWithRunner: boolean): Promise<number> {
  const script = `import { run } from './runner/runtime/exec-file.ts'; run('sleep', ['60'], { endsWithRunner: ${endsWithRunner} }).catch(() => {}); setInterval(() => {}, 1000);`;
  const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: 'ignore' });
  const child = await sleepChildOf(runner.pid!);
  runner.kill('SIGKILL');
  await new Promise((r) => runner.once('exit', r));
  return child;
}

/** Long host commands a runner starts for builds and pulls (mmdebstrap, skopeo) end with it. */
describe('host commands that end with the runner', () => {
  it('a command started so ends when the runner is killed with -9; a plain one outlives it (why the option exists)', async () => {
    const tied = await orphanAfterKill(true);
    const plain = await orphanAfterKill(false);
    try {
      for (let i = 0; i < 40 && alive(tied); i++) await sleep(50);
      expect(alive(tied)).toBe(false);
      expect(alive(plain)).toBe(true);
    } finally {
      try {
        process.kill(plain, 'SIGKILL');
      } catch {}
    }
  });

  it('a missing command is still ENOENT (what the callers tell users: install it)', async () => {
    await expect(run('warren-no-such-command', [], { endsWithRunner: true })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(run('sh', ['-c', 'exit 3'], { endsWithRunner: true })).rejects.toMatchObject({ code: 3 });
  });
});
