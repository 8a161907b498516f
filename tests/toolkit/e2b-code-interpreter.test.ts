import { Sandbox } from '@e2b/code-interpreter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestOrg } from '../console/sandboxes-fixture';
import { mintE2bKey, pointE2bAt } from './helpers/e2b';
import { warren } from './helpers/warren';

let sbx: Sandbox;
beforeAll(async () => {
  pointE2bAt(await mintE2bKey());
  sbx = await Sandbox.create({ timeoutMs: 300_000 });
});
afterAll(() => sbx?.kill().catch(() => {}));

describe('@e2b/code-interpreter runCode against Warren', () => {
  it('keeps Python state across calls: variables, imports, the working directory', async () => {
    const first = await sbx.runCode('import os\nx = 21\nos.chdir("/tmp")\nprint("hello")\nx * 2');
    expect(first.logs.stdout).toEqual(['hello\n']);
    expect(first.text).toBe('42');
    const second = await sbx.runCode('y = x + 1\nprint(os.getcwd(), y)');
    expect(second.logs.stdout.join('')).toBe('/tmp 22\n');
    expect(second.error).toBeUndefined();
  });

  it('reports errors with name, value and traceback, and streams output', async () => {
    const seen: string[] = [];
    const r = await sbx.runCode('print("before")\n1/0', { onStdout: (m) => void seen.push(m.line) });
    expect(seen).toEqual(['before\n']);
    expect(r.error).toMatchObject({ name: 'ZeroDivisionError', value: 'division by zero' });
    expect(r.error!.traceback).toContain('ZeroDivisionError');
  });

  // Needs matplotlib importable by the sandbox's python3: the default template runs the host's
  // /usr, so Debian's python3-matplotlib (scripts/setup.sh --test installs it).
  it('returns a matplotlib figure as a PNG result', async () => {
    const r = await sbx.runCode(
      'import matplotlib\nmatplotlib.use("Agg")\nimport matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.title("squares")\nplt.show()',
    );
    expect(r.error).toBeUndefined();
    const pngs = r.results.filter((x) => x.png);
    expect(pngs).toHaveLength(1);
    const bytes = Buffer.from(pngs[0]!.png!, 'base64');
    expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(100); // the IHDR width: a real figure, not an empty image
    // Shown figures are closed: the next cell returns no image.
    expect((await sbx.runCode('1 + 1')).results.filter((x) => x.png)).toHaveLength(0);
  }, 120_000);

  it('runs JavaScript and bash in their own contexts, and separate contexts do not share state', async () => {
    const js = await sbx.runCode('const a = 40; a + 2', { language: 'javascript' });
    expect(js.text).toBe('42');
    expect((await sbx.runCode('console.log(a + 1)', { language: 'javascript' })).logs.stdout).toEqual(['41\n']);
    const sh1 = await sbx.runCode('export GREETING=hi; cd /tmp', { language: 'bash' });
    expect(sh1.error).toBeUndefined();
    expect((await sbx.runCode('echo $GREETING $(pwd)', { language: 'bash' })).logs.stdout.join('')).toBe('hi /tmp\n');

    const ctx = await sbx.createCodeContext({ language: 'python' });
    const isolated = await sbx.runCode('x', { context: ctx });
    expect(isolated.error?.name).toBe('NameError');
    expect((await sbx.listCodeContexts()).map((c) => c.id)).toContain(ctx.id);
    await sbx.runCode('z = 5', { context: ctx });
    await sbx.restartCodeContext(ctx);
    expect((await sbx.runCode('z', { context: ctx })).error?.name).toBe('NameError');
    await sbx.removeCodeContext(ctx);
    expect((await sbx.listCodeContexts()).map((c) => c.id)).not.toContain(ctx.id);
  });
});

describe('POST /api/v1/sandboxes/:id/code (Warren’s own API)', () => {
  const call = (path: string, body?: unknown, key = warren().key) =>
    fetch(`${warren().url}/api/v1/sandboxes/${sbx.sandboxId}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const lines = async (res: Response) => (await res.text()).trim().split('\n').map((l) => JSON.parse(l));

  it('streams NDJSON events of a stateful context; an unknown context or another org is a 404', async () => {
    const created = await call('/code/contexts', { language: 'python' });
    expect(created.status).toBe(201);
    const ctx = (await created.json()) as { id: string };
    const first = await call('/code', { code: 'n = 6\nprint("six")\nn * 7', contextId: ctx.id });
    expect(first.headers.get('content-type')).toMatch(/ndjson/);
    expect(await lines(first)).toEqual([
      { type: 'stdout', text: 'six\n' },
      { type: 'result', text: '42', is_main_result: true },
      { type: 'number_of_executions', execution_count: 1 },
    ]);
    const err = await lines(await call('/code', { code: 'raise ValueError("bad")', contextId: ctx.id }));
    expect(err[0]).toMatchObject({ type: 'error', name: 'ValueError', value: 'bad' });
    expect(err[0].traceback).toContain('ValueError: bad');
    expect((await call('/code', { code: '1', contextId: 'nosuchcontext' })).status).toBe(404);
    expect((await call('/code', { code: '1', language: 'cobol' })).status).toBe(400);
    const other = await makeTestOrg();
    expect((await call('/code', { code: '1' }, other.developer)).status).toBe(404);
    expect((await call('/code/contexts')).status).toBe(200);
  });
});
