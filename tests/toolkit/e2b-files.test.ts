import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers/warren';
import { CLIENTS, mintE2bKey, pointE2bAt } from './helpers/e2b';

beforeAll(async () => {
  pointE2bAt(await mintE2bKey());
});

describe.each(CLIENTS)('%s files against Warren', (_name, e2b) => {
  const { Sandbox, FileNotFoundError } = e2b;
  let sbx: InstanceType<typeof Sandbox>;
  beforeAll(async () => {
    sbx = await Sandbox.create({ timeoutMs: 300_000 });
  });
  afterAll(() => sbx?.kill().catch(() => {}));

  it('writes and reads text and bytes, relative paths from /home/user', async () => {
    const info = await sbx.files.write('/home/user/notes/a.txt', 'héllo');
    expect(info).toMatchObject({ name: 'a.txt', path: '/home/user/notes/a.txt' });
    expect(await sbx.files.read('/home/user/notes/a.txt')).toBe('héllo');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await sbx.files.write('bin.dat', bytes.buffer);
    expect(Array.from(await sbx.files.read('/home/user/bin.dat', { format: 'bytes' }))).toEqual([0, 1, 2, 250, 255]);
    await sbx.files.write([
      { path: '/tmp/m1.txt', data: 'one' },
      { path: '/tmp/m2.txt', data: 'two' },
    ]);
    expect((await sbx.commands.run('cat /tmp/m1.txt /tmp/m2.txt; stat -c %U /home/user/notes/a.txt')).stdout).toBe(
      'onetwouser\n',
    );
    await expect(sbx.files.read('/home/user/nope.txt')).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('lists with depth, makes dirs, renames, removes, checks existence and info', async () => {
    expect(await sbx.files.makeDir('/home/user/tree/a/b')).toBe(true);
    expect(await sbx.files.makeDir('/home/user/tree/a/b')).toBe(false);
    await sbx.files.write('/home/user/tree/a/b/deep.txt', 'deep');
    await sbx.files.write('/home/user/tree/top.txt', 'top');
    const one = await sbx.files.list('/home/user/tree');
    expect(one.map((e) => e.name).sort()).toEqual(['a', 'top.txt']);
    const three = await sbx.files.list('/home/user/tree', { depth: 3 });
    expect(three.map((e) => e.path).sort()).toEqual([
      '/home/user/tree/a',
      '/home/user/tree/a/b',
      '/home/user/tree/a/b/deep.txt',
      '/home/user/tree/top.txt',
    ]);
    const info = await sbx.files.getInfo('/home/user/tree/top.txt');
    expect(info).toMatchObject({ name: 'top.txt', type: 'file', size: 3, owner: 'user' });
    expect(info.modifiedTime!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await sbx.files.getInfo('/home/user/tree/a')).type).toBe('dir');

    const moved = await sbx.files.rename('/home/user/tree/top.txt', '/home/user/tree/moved.txt');
    expect(moved).toMatchObject({ name: 'moved.txt', path: '/home/user/tree/moved.txt' });
    expect(await sbx.files.exists('/home/user/tree/top.txt')).toBe(false);
    expect(await sbx.files.exists('/home/user/tree/moved.txt')).toBe(true);
    await sbx.files.remove('/home/user/tree/a');
    expect(await sbx.files.exists('/home/user/tree/a/b/deep.txt')).toBe(false);
  });

  it('watches a directory', async () => {
    await sbx.files.makeDir('/home/user/watched');
    const events: Array<{ name: string; type: string }> = [];
    const handle = await sbx.files.watchDir(
      '/home/user/watched',
      (e) => void events.push({ name: e.name, type: String(e.type) }),
      { timeoutMs: 0 },
    );
    await sbx.files.write('/home/user/watched/new.txt', 'x');
    await until('create event', () => events.some((e) => e.name === 'new.txt'));
    await sbx.files.remove('/home/user/watched/new.txt');
    await until('remove event', () => events.some((e) => e.name === 'new.txt' && e.type === 'remove'));
    await handle.stop();
  });

  it('sees every change at once, even one undone immediately: create, write, rename, chmod, remove', async () => {
    await sbx.files.makeDir('/home/user/busy');
    const seen: string[] = [];
    const deep: string[] = [];
    const flat = await sbx.files.watchDir('/home/user/busy', (e) => void seen.push(`${e.type} ${e.name}`), { timeoutMs: 0 });
    const tree = await sbx.files.watchDir('/home/user/busy', (e) => void deep.push(`${e.type} ${e.name}`), {
      timeoutMs: 0,
      recursive: true,
    });
    await sbx.commands.run(
      'cd /home/user/busy && touch quick && rm quick && echo hi > a.txt && mv a.txt b.txt && chmod 600 b.txt && mkdir sub && echo x > sub/inner && rm b.txt',
    );
    const expected = ['create quick', 'remove quick', 'create a.txt', 'write a.txt', 'rename a.txt', 'create b.txt', 'chmod b.txt', 'create sub', 'remove b.txt'];
    await until('all events', () => expected.every((e) => seen.includes(e)));
    // In the order they happened; a watch of the directory alone does not look inside sub/.
    expect(seen.filter((e) => expected.includes(e))).toEqual(expected);
    expect(seen.some((e) => e.includes('inner'))).toBe(false);
    // sub/inner may be written before the watch on the new sub/ exists (the shell does not wait
    // for the agent): its entries are then announced as created when the watch is added. Once it
    // is, a write inside is seen as it happens.
    await until('the tree watch sees inside sub/', () => deep.includes('create sub/inner'));
    expect(deep).toContain('remove b.txt');
    await sbx.commands.run('echo y >> /home/user/busy/sub/inner');
    await until('a write inside sub/', () => deep.includes('write sub/inner'));
    await flat.stop();
    await tree.stop();
  });

  it('refuses to watch a tree of more directories than a watch may cover, and says so', async () => {
    await sbx.commands.run('mkdir -p /home/user/huge && cd /home/user/huge && seq 1 4100 | xargs mkdir');
    const err = await sbx.files.watchDir('/home/user/huge', () => {}, { recursive: true, timeoutMs: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toContain('4096');
    const ok = await sbx.files.watchDir('/home/user/huge', () => {}, { timeoutMs: 0 }); // one directory is fine
    await ok.stop();
  });
});
