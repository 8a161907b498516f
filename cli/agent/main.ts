import { stdin as input, stdout as output } from 'node:process';
import readline from 'node:readline/promises';
import { ApiClient, WarrenError } from '@/sdk/src/index';
import { connection, forget, NotLoggedIn, readStored, store } from './credentials';
import { cp } from './cp';
import { exec } from './exec';
import { parse, UsageError } from './options';
import { type Command, type Out, sandboxCommands } from './sandbox-commands';
import { shell } from './shell';

export const AGENT_USAGE = `Usage: warren <command>

  login [--api-url URL] [--api-key KEY]   Store an API key (asked for when not given) in your config dir
  logout                                  Forget it
  sandbox create [--name N] [--template T] [--cpu N] [--memory-mb N] [--disk-mb N] [--timeout SEC]
                 [--idle-timeout SEC] [--on-timeout stop|pause|delete] [-e K=V]… [-m K=V]…
                 [--egress] [--allow HOST]… [--snapshot ID]        Prints the new sandbox's id
  sandbox ls [--state S] [-m K=V]…        List sandboxes
  sandbox get <sandbox>                   Show one
  sandbox rm <sandbox>…                   Delete
  sandbox exec <sandbox> [--cwd D] [-e K=V]… [-u root] [--timeout SEC] [-i] -- <command…>
                                          Run a command, streaming its output; exits with its exit code
  sandbox shell <sandbox> [--session ID]  Interactive terminal
  sandbox cp <src> <dst>                  Copy files or directories; one side is <sandbox>:<path>
  sandbox logs <sandbox> [--pid PID]      Recent commands, or a background process's output
  sandbox snapshot <sandbox> [--name N]   Prints the snapshot id
  sandbox fork <sandbox> [--snapshot ID] [--name N]   Prints the new sandbox's id
  sandbox expose <sandbox> <port> [--public]          Prints the preview URL
  mcp                                     Serve the Warren tools to an MCP client over stdio

<sandbox> is an id or a name. --json prints the API's JSON instead (every listing and detail).
Credentials: WARREN_API_KEY and WARREN_API_URL, else those stored by "warren login".`;

const commands: Record<string, Command> = {
  ...Object.fromEntries(Object.entries(sandboxCommands).map(([k, f]) => [`sandbox ${k}`, f])),
  'sandbox exec': exec,
  'sandbox shell': shell,
  'sandbox cp': cp,
  async login(argv, out) {
    const { values: v, positionals } = parse(argv, { 'api-url': { type: 'string' }, 'api-key': { type: 'string' } });
    if (positionals.length) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
    const apiUrl = v['api-url'] || process.env.WARREN_API_URL || readStored().apiUrl || 'http://localhost:3000';
    const apiKey = v['api-key'] || (await ask('API key (wrn_…): '));
    // Checked before it is stored: a typo fails here, not at the next command.
    const me = await new ApiClient({ apiUrl, apiKey }).json<{ org: { slug: string }; role: string }>('GET', '/org');
    const where = store({ apiUrl, apiKey });
    out.line(`Logged in to ${apiUrl} as a ${me.role} of ${me.org.slug} (key stored in ${where})`);
  },
  async logout(_argv, out) {
    out.line(forget() ? 'Logged out' : 'Not logged in');
  },
  async mcp() {
    const { serveStdio } = await import('@/lib/mcp/stdio');
    await serveStdio(connection());
    return -1; // keeps running until the client closes stdin
  },
};

async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input, output: process.stderr, terminal: input.isTTY });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Runs one agent command; returns the process's exit status (-1: leave it running). */
export async function runAgentCli(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  const name = group === 'sandbox' || group === 'sb' ? `sandbox ${action ?? ''}` : group!;
  const out: Out = { line: (s) => output.write(`${s}\n`), json: (v) => output.write(`${JSON.stringify(v, null, 2)}\n`) };
  if (name === 'sandbox ' || name === 'sandbox help' || action === '--help') {
    out.line(AGENT_USAGE);
    return name === 'sandbox ' ? 2 : 0;
  }
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`Unknown command: warren ${argv.slice(0, 2).join(' ')}`);
    const code = await command(name.startsWith('sandbox ') ? rest : argv.slice(1), out);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`warren: ${err.message}\n\n${AGENT_USAGE}\n`);
      return 2;
    }
    if (err instanceof WarrenError || err instanceof NotLoggedIn) {
      process.stderr.write(`warren: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`warren: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

