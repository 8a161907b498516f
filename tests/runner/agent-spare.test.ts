import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerHandle, readRecord, startRunner } from './harness';

/**
 * The runner keeps one connection to a sandbox's agent open ahead of the next call (the agent
 * forks a handler per connection). That waiting handler is a process in the sandbox, so its
 * root can kill it, and the next command must not pay for that: it runs on a new connection.
 */
describe("the agent connection kept for the next call (real containers)", () => {
  let r: RunnerHandle;
  beforeAll(async () => {
    r = await startRunner({ poolSize: 0 });
  });
  afterAll(() => r?.destroy());

  /** The agent's connection handlers: children of its serve daemon, found through the cgroup. */
  const handlersOf = (key: string): number[] => {
    const pids = fs.readFileSync(`/sys/fs/cgroup/pids/warren/${key}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    const info = (pid: number) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return { pid, ppid, cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') };
      } catch {
        return null; // exited meanwhile
      }
    };
    const all = pids.map(info).filter((p) => p !== null);
    const agents = all.filter((p) => p.cmd.includes('warren-agent') && p.cmd.includes('serve'));
    const serve = agents.find((p) => !agents.some((q) => q.pid === p.ppid));
    return agents.filter((p) => p.ppid === serve?.pid).map((p) => p.pid);
  };
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((res) => setTimeout(res, 20));
    expect(ok(), what).toBe(true);
  };

  it('keeps a handler waiting between commands, and a command after it was killed still runs', async () => {
    const sb = await r.client.create();
    const { key } = readRecord(r.dataDir, sb.id);
    expect((await r.client.exec(sb.id, { cmd: ['echo', 'one'] })).stdout).toBe('one\n');
    await until('a handler waits for the next call', () => handlersOf(key).length === 1);
    for (const pid of handlersOf(key)) process.kill(pid, 'SIGKILL');
    await until('the killed handler is gone', () => handlersOf(key).length === 0);
    const next = await r.client.exec(sb.id, { cmd: ['echo', 'two'] });
    expect(next).toMatchObject({ exitCode: 0, stdout: 'two\n' });
    // And the next spare is there again for the call after.
    await until('a new handler waits', () => handlersOf(key).length === 1);
    expect((await r.client.exec(sb.id, { cmd: ['echo', 'three'] })).stdout).toBe('three\n');
    await r.client.delete(sb.id);
  });
});
