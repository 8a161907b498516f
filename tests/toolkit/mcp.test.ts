import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from '@/sdk/src/index';
import { CLI } from './helpers/cli';
import { getPreview } from './helpers/preview';
import { agentEnv, warren } from './helpers/warren';

type Text = { content: Array<{ type: string; text: string }>; isError?: boolean };
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((id) => Sandbox.connect(id, { apiUrl: warren().url, apiKey: warren().key }).then((s) => s.kill()).catch(() => {})));
});

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
  const r = (await client.callTool({ name, arguments: args })) as Text;
  return { text: r.content.map((c) => c.text).join(''), isError: !!r.isError };
}
const json = async (client: Client, name: string, args: Record<string, unknown>) => {
  const r = await call(client, name, args);
  expect(r.isError, r.text).toBe(false);
  return JSON.parse(r.text);
};

const httpClient = async (key = warren().key) => {
  const client = new Client({ name: 'toolkit-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${warren().url}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
};

describe('MCP over Streamable HTTP (/api/mcp)', () => {
  it('an agent session: create a sandbox, run code, write, read and list files, run a command, expose, snapshot, fork, delete', async () => {
    const client = await httpClient();
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(
      ['create_sandbox', 'delete_sandbox', 'expose_port', 'fork_sandbox', 'list_files', 'list_sandboxes', 'read_file', 'run_code', 'run_command', 'snapshot_sandbox', 'write_file'].sort(),
    );
    const sb = await json(client, 'create_sandbox', { name: `mcp-${Date.now()}`, timeoutSec: 600 });
    made.push(sb.id);
    expect(sb.state).toBe('running');
    const py = await json(client, 'run_code', { sandbox: sb.id, language: 'python', code: 'import sys\nprint(sum(range(10)))\nprint("warn", file=sys.stderr)\nopen("/home/user/out.txt", "w").write("from python")' });
    expect(py).toEqual({ exitCode: 0, stdout: '45\n', stderr: 'warn\n' });
    const js = await json(client, 'run_code', { sandbox: sb.name, language: 'javascript', code: 'console.log([1,2,3].map(x => x * 2).join(","))' });
    expect(js.stdout).toBe('2,4,6\n');
    expect((await call(client, 'read_file', { sandbox: sb.id, path: '/home/user/out.txt' })).text).toBe('from python');
    await json(client, 'write_file', { sandbox: sb.id, path: '/home/user/site/index.html', content: 'hello from mcp' });
    expect(await json(client, 'list_files', { sandbox: sb.id, path: '/home/user/site' })).toEqual([{ name: 'index.html', type: 'file', size: 14 }]);
    const cmd = await json(client, 'run_command', { sandbox: sb.id, command: 'cd site && ls; exit 4' });
    expect(cmd).toEqual({ exitCode: 4, stdout: 'index.html\n', stderr: '' });
    await Sandbox.connect(sb.id, { apiUrl: warren().url, apiKey: warren().key }).then((s) => s.commands.run('cd /home/user/site && exec python3 -m http.server 8125', { background: true }));
    const port = await json(client, 'expose_port', { sandbox: sb.id, port: 8125, public: true });
    let page = { status: 0, body: '' };
    for (let i = 0; i < 50 && page.status !== 200; i++, await new Promise((r) => setTimeout(r, 100))) page = await getPreview(port.url, '/index.html');
    expect(page).toEqual({ status: 200, body: 'hello from mcp' });
    const snap = await json(client, 'snapshot_sandbox', { sandbox: sb.id, name: 'mcp' });
    const fork = await json(client, 'fork_sandbox', { sandbox: sb.id, snapshotId: snap.id });
    made.push(fork.id);
    expect((await call(client, 'read_file', { sandbox: fork.id, path: '/home/user/out.txt' })).text).toBe('from python');
    expect((await json(client, 'list_sandboxes', {})).map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([sb.id, fork.id]));
    expect((await call(client, 'delete_sandbox', { sandbox: fork.id })).text).toBe(`Deleted ${fork.id}`);
    await client.close();
  });

  it('errors are MCP errors: bad input, an unknown sandbox, a role that may not', async () => {
    const client = await httpClient();
    const bad = await call(client, 'run_command', { sandbox: 'x' });
    expect(bad).toMatchObject({ isError: true, text: expect.stringMatching(/MCP error -32602: Input validation error.*command/s) });
    const missing = await call(client, 'read_file', { sandbox: 'no-such-sandbox', path: '/etc/hostname' });
    expect(missing).toMatchObject({ isError: true, text: expect.stringMatching(/MCP error -32602: Sandbox not found/) });
    await client.close();
    const viewer = await httpClient(warren().viewerKey);
    const refused = await call(viewer, 'create_sandbox', {});
    expect(refused).toMatchObject({ isError: true, text: expect.stringMatching(/MCP error -32603: .*needs sandboxes:write/) });
    await viewer.close();
  });

  it('refuses a request without an API key (401, before any MCP exchange)', async () => {
    const res = await fetch(`${warren().url}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });
});

describe('MCP over stdio (warren mcp)', () => {
  it('the same tools: create, run code, read a file, delete', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [...CLI, 'mcp'], env: agentEnv() as Record<string, string>, cwd: path.resolve(import.meta.dirname, '..', '..'), stderr: 'inherit' });
    const client = new Client({ name: 'toolkit-test', version: '1' });
    await client.connect(transport);
    const sb = await json(client, 'create_sandbox', { timeoutSec: 300 });
    made.push(sb.id);
    const r = await json(client, 'run_code', { sandbox: sb.id, language: 'python', code: 'open("/tmp/x", "w").write(str(6*7))' });
    expect(r.exitCode).toBe(0);
    expect((await call(client, 'read_file', { sandbox: sb.id, path: '/tmp/x' })).text).toBe('42');
    expect((await call(client, 'delete_sandbox', { sandbox: sb.id })).isError).toBe(false);
    // The isolation level passes through: a gVisor sandbox answers with gVisor's kernel, and one
    // with internet reaches it through the runner's egress proxy (HTTPS_PROXY in its commands).
    const g = await json(client, 'create_sandbox', { timeoutSec: 120, isolation: 'gvisor' });
    made.push(g.id);
    expect(g.isolation).toBe('gvisor');
    expect((await json(client, 'run_command', { sandbox: g.id, command: 'uname -r' })).stdout).toMatch(/^4\.4\.0/);
    const online = await json(client, 'create_sandbox', { timeoutSec: 120, isolation: 'gvisor', internet: true });
    made.push(online.id);
    expect(online).toMatchObject({ isolation: 'gvisor', network: { mode: 'egress' } });
    expect((await json(client, 'run_command', { sandbox: online.id, command: 'echo $HTTPS_PROXY' })).stdout).toBe('http://127.0.0.1:3128\n');
    await client.close();
  });
});
