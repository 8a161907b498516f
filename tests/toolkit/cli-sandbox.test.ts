import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { warrenCli } from './helpers/cli';
import { getPreview } from './helpers/preview';
import { warren } from './helpers/warren';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((id) => warrenCli(['sandbox', 'rm', id])));
});

async function created(args: string[] = []): Promise<string> {
  const r = await warrenCli(['sandbox', 'create', '--timeout', '600', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const id = r.stdout.trim();
  expect(id).toMatch(/^[a-z0-9]{20}$/);
  made.push(id);
  return id;
}

describe('warren sandbox (CLI)', () => {
  it('create, ls (table and --json), get by name', async () => {
    const tag = `cli${Date.now()}`;
    const id = await created(['--name', tag, '-m', `suite=${tag}`, '-e', 'GREETING=hello', '--on-timeout', 'pause']);
    const ls = await warrenCli(['sandbox', 'ls', '-m', `suite=${tag}`]);
    expect(ls.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+STATE.*\\n${id}\\s+${tag}\\s+running`, 'm'));
    const json = JSON.parse((await warrenCli(['sandbox', 'ls', '-m', `suite=${tag}`, '--json'])).stdout);
    expect(json).toEqual([expect.objectContaining({ id, name: tag, onTimeout: 'pause' })]);
    const got = await warrenCli(['sandbox', 'get', tag]);
    expect(got.stdout).toMatch(new RegExp(`id:\\s+${id}`));
    expect(got.stdout).toMatch(/on timeout: pause/);
    expect(JSON.parse((await warrenCli(['sandbox', 'get', tag, '--json'])).stdout).metadata).toEqual({ suite: tag });
  });

  it('exec streams stdout and stderr apart and exits with the command’s code; -i sends stdin; --timeout gives 124', async () => {
    const id = await created(['-e', 'GREETING=hello']);
    const r = await warrenCli(['sandbox', 'exec', id, '--', 'echo $GREETING; echo oops >&2; exit 3']);
    expect(r).toEqual({ code: 3, stdout: 'hello\n', stderr: 'oops\n' });
    const argv = await warrenCli(['sandbox', 'exec', id, '--cwd', '/tmp', '-u', 'root', '--', 'sh', '-c', 'pwd; id -u']);
    expect(argv).toMatchObject({ code: 0, stdout: '/tmp\n0\n' });
    const piped = await warrenCli(['sandbox', 'exec', id, '-i', '--', 'wc', '-l'], { input: 'a\nb\nc\n' });
    expect(piped.stdout.trim()).toBe('3');
    const slow = await warrenCli(['sandbox', 'exec', id, '--timeout', '1', '--', 'sleep 10']);
    expect(slow.code).toBe(124);
    expect(slow.stderr).toMatch(/timed out/);
    const logs = await warrenCli(['sandbox', 'logs', id]);
    expect(logs.stdout).toMatch(/WHEN\s+EXIT\s+MS\s+COMMAND/);
    expect(logs.stdout).toMatch(/ 3 .*echo \$GREETING/);
    expect(JSON.parse((await warrenCli(['sandbox', 'logs', id, '--json'])).stdout).length).toBeGreaterThanOrEqual(4);
  });

  it('cp copies files and directories both ways', async () => {
    const id = await created();
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-cli-cp-'));
    fs.mkdirSync(path.join(local, 'proj', 'src'), { recursive: true });
    fs.writeFileSync(path.join(local, 'proj', 'src', 'main.py'), 'print("from cp")\n');
    fs.writeFileSync(path.join(local, 'note.txt'), 'note');
    expect((await warrenCli(['sandbox', 'cp', 'proj', `${id}:`], { env: { WARREN_CWD: local } })).stdout).toMatch(/Copied 1 file to .*\/home\/user\/proj/);
    expect((await warrenCli(['sandbox', 'cp', 'note.txt', `${id}:/tmp/n.txt`], { env: { WARREN_CWD: local } })).code).toBe(0);
    expect((await warrenCli(['sandbox', 'exec', id, '--', 'python3 proj/src/main.py; cat /tmp/n.txt'])).stdout).toBe('from cp\nnote');
    await warrenCli(['sandbox', 'exec', id, '--', 'mkdir -p out/deep && echo made > out/deep/f.txt']);
    const back = await warrenCli(['sandbox', 'cp', `${id}:out`, local], { env: { WARREN_CWD: local } });
    expect(back.code).toBe(0);
    expect(fs.readFileSync(path.join(local, 'out', 'deep', 'f.txt'), 'utf8')).toBe('made\n');
    const missing = await warrenCli(['sandbox', 'cp', `${id}:/nope`, local]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    fs.rmSync(local, { recursive: true, force: true });
  });

  it('snapshot, fork, expose, logs --pid, rm', async () => {
    const id = await created();
    await warrenCli(['sandbox', 'exec', id, '--', 'echo v1 > /home/user/state']);
    const snap = await warrenCli(['sandbox', 'snapshot', id, '--name', 'v1']);
    expect(snap.stdout.trim()).toMatch(/^[a-z0-9]{20}$/);
    const fork = await warrenCli(['sandbox', 'fork', id, '--snapshot', snap.stdout.trim()]);
    const forkId = fork.stdout.trim();
    made.push(forkId);
    expect((await warrenCli(['sandbox', 'exec', forkId, '--', 'cat /home/user/state'])).stdout).toBe('v1\n');
    await warrenCli(['sandbox', 'exec', id, '--', 'mkdir -p /tmp/w && echo cli-preview > /tmp/w/index.html']);
    const { Sandbox } = await import('@/sdk/src/index');
    const sb = await Sandbox.connect(id, { apiUrl: warren().url, apiKey: warren().key });
    const server = await sb.commands.run('cd /tmp/w && echo up && exec python3 -m http.server 8124', { background: true });
    const url = (await warrenCli(['sandbox', 'expose', id, '8124', '--public'])).stdout.trim();
    expect(url).toMatch(new RegExp(`^http://8124-${id}\\.`));
    let page = { status: 0, body: '' };
    for (let i = 0; i < 50 && page.status !== 200; i++, await new Promise((r) => setTimeout(r, 100))) page = await getPreview(url, '/index.html');
    expect(page).toEqual({ status: 200, body: 'cli-preview\n' });
    const follow = warrenCli(['sandbox', 'logs', id, '--pid', String(server.pid)]);
    await new Promise((r) => setTimeout(r, 1000));
    await server.kill();
    expect((await follow).stdout).toBe('up\n');
    const rm = await warrenCli(['sandbox', 'rm', id]);
    expect(rm).toMatchObject({ code: 0, stdout: `Deleted ${id}\n` });
    const gone = await warrenCli(['sandbox', 'get', id]);
    expect(gone).toMatchObject({ code: 1, stderr: 'warren: Sandbox not found\n' });
  });
});
