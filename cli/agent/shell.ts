import { Sandbox } from '@/sdk/src/index';
import { connection } from './credentials';
import { one, parse } from './options';
import type { Out } from './sandbox-commands';

/**
 * `warren sandbox shell <sandbox>`: an interactive terminal over the console's WebSocket. The
 * local terminal goes raw (every key, Ctrl-C included, goes to the sandbox's shell) and its size
 * follows the window. The CLI exits with the shell's exit code when the shell ends. If the CLI
 * goes away first, the shell lives on (terminals live as long as the sandbox); `--session`
 * re-joins one.
 */
export async function shell(argv: string[], _out: Out): Promise<number> {
  const { values: v, positionals } = parse(argv, { session: { type: 'string' } });
  const sb = await Sandbox.connect(one(positionals, 'sandbox id or name'), connection());
  const { stdin, stdout } = process;
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const onData = (d: Uint8Array) => stdout.write(d);
  const pty = v.session ? await sb.pty.connect(v.session, { ...size(), onData }) : await sb.pty.create({ ...size(), onData });
  if (v.session) pty.resize(size().cols, size().rows);
  process.stderr.write(`warren: connected to ${sb.info.name ?? sb.id}, session ${pty.sessionId} (exit the shell to leave; if this window closes first, --session ${pty.sessionId} re-joins)\r\n`);
  const raw = stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  stdin.resume();
  let sent = size();
  const onResize = () => {
    const now = size();
    if (now.cols === sent.cols && now.rows === sent.rows) return;
    sent = now;
    pty.resize(now.cols, now.rows);
  };
  // Node reads SIGWINCH and stdin in whatever order its poll returns them, so keys typed right
  // after a resize could reach the shell before the new size does (\`stty size\` would still say
  // the old one). Re-reading the window size before each input (one ioctl; \`_refreshSize\`
  // emits 'resize' when it changed) keeps a resize ahead of everything typed after it.
  const refresh = (stdout as { _refreshSize?: () => void })._refreshSize?.bind(stdout);
  const onInput = (d: Buffer) => {
    if (stdout.isTTY) refresh?.();
    pty.sendInput(new Uint8Array(d));
  };
  stdin.on('data', onInput);
  // Not a terminal (a pipe): its end leaves the shell running, as closing a window would.
  stdin.on('end', () => pty.disconnect());
  stdout.on('resize', onResize);
  process.on('SIGWINCH', onResize);
  try {
    const code = await pty.wait();
    return code ?? 0;
  } finally {
    stdin.off('data', onInput);
    stdout.off('resize', onResize);
    process.off('SIGWINCH', onResize);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}
