import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, AgentFsError, type WatchEvent } from '@/runner/agent/client';
import { type ServedAgent, serveAgent, until } from '@/runner/agent/test-support';

let agent: ServedAgent;
let client: AgentClient;
let root: string;
const user = { uid: 1000, gid: 1000 };

beforeAll(async () => {
  agent = await serveAgent();
  client = AgentClient.forSocket(agent.socket);
  root = `${agent.dir}/watched`;
  fs.mkdirSync(root, { mode: 0o777 });
  fs.chmodSync(root, 0o777);
  fs.chmodSync(agent.dir, 0o755);
});
afterAll(async () => {
  await agent?.stop();
});

/** Collects a watch's events in the background until `ac` aborts or the watch ends. */
async function collect(path: string, recursive: boolean, ac: AbortController, who = user) {
  const events: string[] = [];
  const it = await client.watch(path, { recursive, signal: ac.signal }, who);
  const done = (async () => {
    for await (const e of it as AsyncGenerator<WatchEvent>) events.push(`${e.kind} ${e.name}`);
  })();
  return { events, done };
}

/** The agent's handler processes (one per open request). */
const handlers = () => {
  try {
    return execFileSync('pgrep', ['-P', String(agent.proc.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

describe('warren-agent serve: directory watches (inotify)', () => {
  it('reports a tree as it changes, including a directory moved in with files already inside', async () => {
    const ac = new AbortController();
    const w = await collect(root, true, ac);
    fs.mkdirSync(`${root}/a`);
    fs.writeFileSync(`${root}/a/one.txt`, '1');
    const outside = `${agent.dir}/outside`;
    fs.mkdirSync(`${outside}/deep`, { recursive: true });
    fs.writeFileSync(`${outside}/deep/two.txt`, '2');
    fs.renameSync(outside, `${root}/moved`);
    await until(() => w.events.includes('create moved/deep/two.txt'), 5000, 'the moved-in tree');
    fs.writeFileSync(`${root}/moved/deep/three.txt`, '3'); // watched now too
    await until(() => w.events.includes('write moved/deep/three.txt'), 5000, 'a write in the moved-in tree');
    // a/one.txt may be written before a/ is watched: then the scan of the new directory reports it.
    expect(w.events).toEqual(expect.arrayContaining(['create a', 'create a/one.txt', 'create moved', 'create moved/deep']));
    ac.abort();
    await w.done;
  });

  it('ends when the watched directory goes', async () => {
    fs.mkdirSync(`${root}/short`);
    const w = await collect(`${root}/short`, false, new AbortController());
    fs.rmSync(`${root}/short`, { recursive: true });
    await w.done; // resolves: no error, no hang
  });

  it("watches only what its user may read, and refuses what isn't a directory", async () => {
    fs.mkdirSync(`${root}/private`, { mode: 0o700 });
    fs.chmodSync(`${root}/private`, 0o700);
    const denied = await client.watch(`${root}/private`, {}, user).catch((e) => e);
    expect(denied).toBeInstanceOf(AgentFsError);
    expect(denied.code).toBe('EACCES');
    fs.writeFileSync(`${root}/file.txt`, 'x');
    expect(await client.watch(`${root}/file.txt`, {}, user).catch((e) => e.code)).toBe('ENOTDIR');
  });

  it('hanging up ends the handler inside the sandbox', async () => {
    await until(() => handlers() === 0, 5000, 'no handlers before');
    const ac = new AbortController();
    const w = await collect(root, true, ac);
    expect(handlers()).toBe(1);
    ac.abort();
    await w.done;
    await until(() => handlers() === 0, 5000, 'the handler to exit');
  });
});
