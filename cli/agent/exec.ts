import { Sandbox, TimeoutError } from '@/sdk/src/index';
import { connection } from './credentials';
import { num, pairs, parse, UsageError } from './options';
import type { Out } from './sandbox-commands';

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13, SIGSEGV: 11, SIGABRT: 6 };

/**
 * `warren sandbox exec <sandbox> [options] -- <command…>`: output streams as it comes (stdout to
 * stdout, stderr to stderr) and the CLI exits with the command's exit code — 128+n for a signal,
 * 124 for a timeout, as `timeout(1)` does. One word after `--` is a shell line (`bash -c`), several
 * an argv. `-i` sends the CLI's own stdin to the command.
 */
export async function exec(argv: string[], _out: Out): Promise<number> {
  const { values: v, positionals, rest } = parse(argv, {
    cwd: { type: 'string' },
    env: { type: 'string', multiple: true, short: 'e' },
    user: { type: 'string', short: 'u' },
    timeout: { type: 'string' },
    stdin: { type: 'boolean', short: 'i' },
  });
  const [ref, ...inline] = positionals;
  const cmd = rest.length ? rest : inline;
  if (!ref || !cmd.length) throw new UsageError('Usage: warren sandbox exec <sandbox> [--cwd DIR] [-e K=V] [-u root] [--timeout SEC] [-i] -- <command…>');
  if (v.user && v.user !== 'user' && v.user !== 'root') throw new UsageError('--user is user or root');
  const stdin = v.stdin ? await readStdin() : undefined;
  const sb = await Sandbox.connect(ref, connection());
  const timeout = num(v.timeout, 'timeout');
  // Ctrl-C cancels the call, which kills the command in the sandbox too.
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  try {
    const r = await sb.commands.run(cmd.length === 1 ? cmd[0]! : cmd, {
      cwd: v.cwd,
      env: pairs(v.env, 'env'),
      user: v.user as 'user' | 'root' | undefined,
      stdin,
      timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
      signal: ac.signal,
      onStdout: (d) => process.stdout.write(d),
      onStderr: (d) => process.stderr.write(d),
    });
    if (r.exitCode !== null) return r.exitCode;
    return 128 + (SIGNALS[r.signal ?? ''] ?? 9);
  } catch (err) {
    if (err instanceof TimeoutError && err.code === 'command_timeout') {
      process.stderr.write(`warren: the command timed out after ${timeout ?? 60} s\n`);
      return 124;
    }
    if (ac.signal.aborted) return 130;
    throw err;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
