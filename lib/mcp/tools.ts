import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type ConnectionOptions, NotFoundError, Sandbox, ValidationError, WarrenError } from '@/sdk/src/index';

/**
 * The Warren tools an MCP client (an agent) gets, the same over stdio (`warren mcp`) and over
 * Streamable HTTP (/api/mcp). Each tool is a call or two of the TypeScript SDK with the caller's
 * API key, so it can do exactly what that key can do, nothing more. Inputs are validated by zod
 * (the MCP SDK answers InvalidParams); Warren's errors become MCP errors with the API's message.
 */
const ref = z.string().min(1).max(63).describe('Sandbox id or name');
const json = (v: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(v, null, 2) }] });

function mcpError(err: unknown): never {
  if (err instanceof McpError) throw err;
  if (err instanceof NotFoundError || err instanceof ValidationError) throw new McpError(ErrorCode.InvalidParams, err.message, { status: err.status, code: err.code });
  if (err instanceof WarrenError) throw new McpError(ErrorCode.InternalError, err.message, { status: err.status, code: err.code, details: err.details });
  throw new McpError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err));
}

const LANGUAGES = { python: ['python3', '-'], javascript: ['node', '-'] } as const;

export function registerWarrenTools(server: McpServer, conn: ConnectionOptions): void {
  const open = (sandbox: string) => Sandbox.connect(sandbox, conn);
  const tool = <S extends z.ZodRawShape>(name: string, description: string, inputSchema: S, run: (args: z.infer<z.ZodObject<S>>) => Promise<unknown>) =>
    server.registerTool(name, { description, inputSchema }, (async (args: z.infer<z.ZodObject<S>>) => {
      try {
        const out = await run(args);
        return typeof out === 'string' ? { content: [{ type: 'text', text: out }] } : json(out);
      } catch (err) {
        mcpError(err);
      }
    }) as never);

  tool(
    'create_sandbox',
    'Create an isolated Linux sandbox (Debian userland with python3, node, bash, gcc, git). Returns its id; pass it to the other tools.',
    {
      name: z.string().optional().describe('Optional unique name, usable instead of the id'),
      timeoutSec: z.number().int().min(1).optional().describe('Lifetime before onTimeout applies (default 300)'),
      onTimeout: z.enum(['stop', 'pause', 'delete']).optional(),
      cpu: z.number().optional(),
      memoryMb: z.number().int().optional(),
      internet: z.boolean().optional().describe('Allow outbound internet access (egress)'),
      isolation: z
        .enum(['container', 'gvisor'])
        .optional()
        .describe("container or gvisor: a user-space kernel between the code and the host (internet there only through the HTTP(S) proxy its HTTPS_PROXY names); unset: the template's level, else the plan's"),
      metadata: z.record(z.string(), z.string()).optional(),
    },
    async (a) => {
      const { internet, ...rest } = a;
      const sb = await Sandbox.create({ ...conn, ...rest, network: internet ? { mode: 'egress' } : undefined });
      return sb.info;
    },
  );
  tool('list_sandboxes', 'List the org’s sandboxes (newest first).', { state: z.enum(['creating', 'running', 'paused', 'stopped', 'error']).optional() }, async (a) =>
    (await Sandbox.list({ ...conn, state: a.state, limit: 100 })).map((s) => ({ id: s.id, name: s.name, state: s.state, createdAt: s.createdAt, metadata: s.metadata })),
  );
  tool('delete_sandbox', 'Delete a sandbox and everything in it.', { sandbox: ref }, async (a) => {
    await (await open(a.sandbox)).kill();
    return `Deleted ${a.sandbox}`;
  });
  tool(
    'run_command',
    'Run a shell command (bash -c) in a sandbox; returns exit code, stdout and stderr.',
    {
      sandbox: ref,
      command: z.string().min(1),
      cwd: z.string().startsWith('/').optional(),
      env: z.record(z.string(), z.string()).optional(),
      timeoutSec: z.number().int().min(1).max(3600).optional(),
      user: z.enum(['user', 'root']).optional(),
    },
    async (a) => {
      const r = await (await open(a.sandbox)).commands.run(a.command, { cwd: a.cwd, env: a.env, user: a.user, timeoutMs: a.timeoutSec && a.timeoutSec * 1000 });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
  );
  tool(
    'run_code',
    'Run a Python or JavaScript (Node.js) program in a sandbox; returns exit code, stdout and stderr.',
    { sandbox: ref, language: z.enum(['python', 'javascript']), code: z.string().min(1).max(1024 * 1024), timeoutSec: z.number().int().min(1).max(3600).optional() },
    async (a) => {
      // The program goes in on stdin: no quoting, no temporary file.
      const r = await (await open(a.sandbox)).commands.run([...LANGUAGES[a.language]], { stdin: a.code, timeoutMs: a.timeoutSec && a.timeoutSec * 1000 });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
  );
  tool('read_file', 'Read a text file from a sandbox (absolute path).', { sandbox: ref, path: z.string().startsWith('/') }, async (a) => (await open(a.sandbox)).files.read(a.path));
  tool('write_file', 'Write a text file in a sandbox (parents created).', { sandbox: ref, path: z.string().startsWith('/'), content: z.string() }, async (a) =>
    (await open(a.sandbox)).files.write(a.path, a.content),
  );
  tool('list_files', 'List a directory in a sandbox.', { sandbox: ref, path: z.string().startsWith('/') }, async (a) =>
    (await (await open(a.sandbox)).files.list(a.path)).map((e) => ({ name: e.name, type: e.type, size: e.size })),
  );
  tool(
    'expose_port',
    'Expose a port of a sandbox (a server listening on it) and return its preview URL.',
    { sandbox: ref, port: z.number().int().min(1).max(65535), public: z.boolean().optional().describe('Reachable without signing in') },
    async (a) => {
      const p = await (await open(a.sandbox)).ports.expose(a.port, { public: a.public });
      return { url: p.url, public: p.public };
    },
  );
  tool('snapshot_sandbox', 'Snapshot a sandbox’s files; returns the snapshot id.', { sandbox: ref, name: z.string().max(128).optional() }, async (a) =>
    (await open(a.sandbox)).snapshot({ name: a.name }),
  );
  tool(
    'fork_sandbox',
    'Create a new sandbox from a sandbox’s current files (or from snapshotId); returns the new sandbox.',
    { sandbox: ref, snapshotId: z.string().optional(), name: z.string().optional() },
    async (a) => (await (await open(a.sandbox)).fork({ snapshotId: a.snapshotId, name: a.name })).info,
  );
}
