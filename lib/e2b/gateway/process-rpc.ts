import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';
import type { ProcessOutputEvent, ProcessSignal } from '@/lib/runner-client';
import { followProcess, killProcess, listProcesses, processInput, startFollowingProcess } from '@/lib/sandboxes/processes';
import { attachPty, createPty, killPty, listPtys, resizePty } from '@/lib/sandboxes/ptys';
import { startProcessBody } from '@/lib/schemas/sandboxes';
import { callerOf, mapped, toConnectError } from './rpc-context';
import { ptySocket, registerPtySocket } from './pty-sockets';
import { wsEvents } from './ws-events';
import { keepaliveMs, withKeepalive } from './keepalive';

/**
 * envd's process.Process over Warren's own services: background processes of the runner's agent
 * for commands (detached, so a dropped client never kills them), its PTY sessions for terminals.
 * A `Connect-Timeout-Ms` deadline that passes kills the command, as envd's does; a client that
 * only disconnects leaves it running (the clients' `disconnect()`).
 */
type Selector = { selector: { case: 'pid'; value: number } | { case: 'tag'; value: string } | { case: undefined } };
type ProcessConfig = { cmd: string; args: string[]; envs: Record<string, string>; cwd?: string };
type StartRequest = {
  process?: ProcessConfig;
  pty?: { size?: { cols: number; rows: number } };
  tag?: string;
  stdin?: boolean;
};
type Event =
  | { case: 'keepalive'; value: Record<string, never> }
  | { case: 'start'; value: { pid: number } }
  | { case: 'data'; value: { output: { case: 'stdout' | 'stderr' | 'pty'; value: Uint8Array } } }
  | { case: 'end'; value: { exitCode: number; exited: boolean; status: string; error?: string } };
type Out = { event: { event: Event } };

const out = (event: Event): Out => ({ event: { event } });

/** envd's Signal enum is SIGTERM (15) and SIGKILL (9); the other usual numbers are accepted too. */
const SIGNALS_BY_NUMBER: Record<number, ProcessSignal> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  12: 'SIGUSR2',
  15: 'SIGTERM',
};
/** Go's names for a process ended by a signal (what envd's `status` says). */
const SIGNAL_WORDS: Record<string, string> = { kill: 'killed', term: 'terminated', int: 'interrupt', hup: 'hangup' };
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/**
 * Whether the call ended at its deadline. The client's own timer usually fires a moment before
 * ours and it hangs up, so a hang-up within half a second of the deadline counts as reaching it.
 */
const DEADLINE_SLACK_MS = 500;
function isDeadline(ctx: HandlerContext): boolean {
  const reason = ctx.signal.reason;
  if (reason instanceof ConnectError && reason.code === Code.DeadlineExceeded) return true;
  const left = ctx.timeoutMs();
  return left !== undefined && left <= DEADLINE_SLACK_MS;
}

function endOf(e: ProcessOutputEvent): Event | null {
  if (e.type === 'exit') {
    const signal = e.signal?.replace(/^SIG/, '').toLowerCase();
    const status = signal ? `signal: ${SIGNAL_WORDS[signal] ?? signal}` : `exit status ${e.exitCode}`;
    // envd's error is Go's exit error, the same words as the status, for any unsuccessful end.
    const failed = !!signal || e.exitCode !== 0;
    return {
      case: 'end',
      value: { exitCode: e.exitCode ?? -1, exited: e.exitCode !== null, status, ...(failed ? { error: status } : {}) },
    };
  }
  if (e.type === 'detached')
    return {
      case: 'end',
      value: {
        exitCode: -1,
        exited: false,
        status: 'unknown',
        error: 'The process was lost: the sandbox stopped or its runner restarted',
      },
    };
  return null;
}

/** Follows a process's output (replayed, then live) as envd events; a deadline kills it. */
function follow(scope: OrgScope, sandboxId: string, pid: number, ctx: HandlerContext): AsyncGenerator<Out> {
  const link = runnerLink(ctx);
  return relay(scope, sandboxId, pid, ctx, link, () => followProcess(scope, sandboxId, pid, link.signal));
}

/** How long the rest of a runner's answer may take after its end event before it is dropped. */
const DRAIN_MS = 5_000;

/**
 * The signal of a runner call behind a stream: aborted with the call's until the process's end
 * event has gone out, then let go. Connect aborts every call's signal as its stream finishes, and
 * the runner's answer still has its last line to come: aborted, that half-read answer and its
 * kept-alive runner connection are destroyed (a quarter of the gateway's commands then paid for a
 * new connection), and waited for, the client's end-of-stream frame waits a turn of the runner.
 */
type RunnerLink = { signal: AbortSignal; release: () => void; abort: () => void };
function runnerLink(ctx: HandlerContext): RunnerLink {
  const ac = new AbortController();
  const onAbort = () => ac.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  return { signal: ac.signal, release: () => ctx.signal.removeEventListener('abort', onAbort), abort: () => ac.abort() };
}

/** Reads what is left of a runner's answer after the end event, in the background, within DRAIN_MS. */
function drainInBackground(it: AsyncIterator<ProcessOutputEvent>, link: RunnerLink): void {
  const timer = setTimeout(link.abort, DRAIN_MS);
  void (async () => {
    while (!(await it.next()).done);
  })()
    .catch(() => {})
    .finally(() => clearTimeout(timer));
}

/**
 * The runner's output events of process `pid` as envd events, until its end. A deadline that
 * passes kills the process; any other hang-up leaves it running.
 */
async function* relay(
  scope: OrgScope,
  sandboxId: string,
  pid: number,
  ctx: HandlerContext,
  link: RunnerLink,
  open: () => Promise<{ it: AsyncIterator<ProcessOutputEvent>; first: IteratorResult<ProcessOutputEvent> }>,
): AsyncGenerator<Out> {
  try {
    const { it, first } = await open();
    for (let n = first; !n.done; n = await it.next()) {
      const e = n.value;
      if (e.type === 'stdout' || e.type === 'stderr')
        yield out({ case: 'data', value: { output: { case: e.type, value: bytes(e.data) } } });
      const end = endOf(e);
      if (end) {
        yield out(end);
        // The runner ends its answer right after the end event: that end is read in the
        // background, so the client's end-of-stream frame does not wait for it (see runnerLink).
        link.release();
        drainInBackground(it, link);
        return;
      }
    }
  } catch (err) {
    if (ctx.signal.aborted) {
      if (isDeadline(ctx)) await killProcess(scope, sandboxId, pid).catch(() => {});
      throw ctx.signal.reason instanceof ConnectError
        ? ctx.signal.reason
        : new ConnectError('cancelled', Code.Canceled);
    }
    throw toConnectError(err);
  }
}

/** Streams a PTY session's bytes until its shell exits; a deadline kills it. */
async function* followPty(
  scope: OrgScope,
  sandboxId: string,
  pid: number,
  sessionId: string,
  ctx: HandlerContext,
): AsyncGenerator<Out> {
  const ws = await mapped(() => attachPty(scope, sandboxId, sessionId));
  registerPtySocket(sandboxId, pid, ws);
  try {
    for await (const e of wsEvents(ws, ctx.signal)) {
      if (e.type === 'data') {
        yield out({ case: 'data', value: { output: { case: 'pty', value: new Uint8Array(e.data) } } });
        continue;
      }
      const msg = JSON.parse(e.text) as { type?: string; exitCode?: number | null; signal?: string | null };
      if (msg.type === 'exit') {
        const end = endOf({ type: 'exit', exitCode: msg.exitCode ?? null, signal: msg.signal ?? null });
        if (end) yield out(end);
        return;
      }
    }
    if (ctx.signal.aborted) {
      if (isDeadline(ctx)) await killPty(scope, sandboxId, sessionId).catch(() => {});
      throw ctx.signal.reason instanceof ConnectError
        ? ctx.signal.reason
        : new ConnectError('cancelled', Code.Canceled);
    }
  } finally {
    ws.close();
  }
}

async function ptySession(scope: OrgScope, sandboxId: string, pid: number) {
  return (await listPtys(scope, sandboxId)).find((s) => s.pid === pid && !s.exited) ?? null;
}

async function pidOf(scope: OrgScope, sandboxId: string, sel: Selector | undefined): Promise<number> {
  const s = sel?.selector;
  if (s?.case === 'pid') return s.value;
  if (s?.case === 'tag') {
    const found = (await listProcesses(scope, sandboxId)).find((p) => p.tag === s.value && p.running);
    if (!found) throw new AppError('not_found', `No running process tagged ${s.value}`);
    return found.pid;
  }
  throw new AppError('bad_request', 'Select the process by pid or tag');
}

/**
 * The program a PTY runs: the request's own. The clients' usual `/bin/bash -i -l` becomes the
 * runner's login shell (which also works in image sandboxes without bash).
 */
function ptyCommand(p: ProcessConfig): string[] | undefined {
  const argv = [p.cmd, ...p.args];
  if (argv.join(' ') === '/bin/bash -i -l') return undefined;
  return argv;
}

async function* startStream(req: StartRequest, ctx: HandlerContext): AsyncGenerator<Out> {
  const { scope, row, user } = callerOf(ctx);
  const p = req.process;
  if (!p?.cmd) throw new ConnectError('process.cmd is required', Code.InvalidArgument);
  if (req.pty) {
    const size = req.pty.size ?? { cols: 80, rows: 24 };
    const { sessionId, pid } = await mapped(() =>
      createPty(scope, row.id, {
        cols: size.cols || 80,
        rows: size.rows || 24,
        cmd: ptyCommand(p),
        cwd: p.cwd || undefined,
        env: p.envs,
        user,
      }),
    );
    yield out({ case: 'start', value: { pid } });
    yield* followPty(scope, row.id, pid, sessionId, ctx);
    return;
  }
  const body = await mapped(async () =>
    startProcessBody.parse({
      cmd: [p.cmd, ...p.args],
      cwd: p.cwd || undefined,
      env: p.envs,
      user,
      tag: req.tag,
      stdin: req.stdin ?? true,
    }),
  );
  // One runner call starts the process and streams its output (the row is the one the gateway
  // just read for this caller): no second lookup, no second round trip to follow it.
  const link = runnerLink(ctx);
  const { it, pid } = await mapped(() => startFollowingProcess(scope, row, body, link.signal));
  yield out({ case: 'start', value: { pid } });
  yield* relay(scope, row.id, pid, ctx, link, async () => ({ it, first: await it.next() }));
}

async function* connectStream(req: { process?: Selector }, ctx: HandlerContext): AsyncGenerator<Out> {
  const { scope, row } = callerOf(ctx);
  const pid = await mapped(() => pidOf(scope, row.id, req.process));
  const pty = await mapped(() => ptySession(scope, row.id, pid));
  yield out({ case: 'start', value: { pid } });
  if (pty) yield* followPty(scope, row.id, pid, pty.sessionId, ctx);
  else yield* follow(scope, row.id, pid, ctx);
}

export const processImpl = {
  start(req: StartRequest, ctx: HandlerContext): AsyncGenerator<Out> {
    return withKeepalive(startStream(req, ctx), keepaliveMs(ctx.requestHeader.get('keepalive-ping-interval')), () =>
      out({ case: 'keepalive', value: {} }),
    );
  },

  connect(req: { process?: Selector }, ctx: HandlerContext): AsyncGenerator<Out> {
    return withKeepalive(connectStream(req, ctx), keepaliveMs(ctx.requestHeader.get('keepalive-ping-interval')), () =>
      out({ case: 'keepalive', value: {} }),
    );
  },

  async list(_req: unknown, ctx: HandlerContext) {
    const { scope, row } = callerOf(ctx);
    return mapped(async () => {
      const procs = (await listProcesses(scope, row.id)).filter((p) => p.running);
      const ptys = (await listPtys(scope, row.id)).filter((s) => !s.exited);
      return {
        processes: [
          ...procs.map((p) => ({
            pid: p.pid,
            tag: p.tag ?? undefined,
            config: { cmd: p.cmd[0] ?? '', args: p.cmd.slice(1), envs: {} },
          })),
          ...ptys.map((s) => {
            const [cmd, ...args] = s.cmd ?? ['/bin/bash', '-i', '-l'];
            return { pid: s.pid, config: { cmd, args, envs: {} } };
          }),
        ],
      };
    });
  },

  async sendInput(
    req: { process?: Selector; input?: { input: { case: 'stdin' | 'pty'; value: Uint8Array } | { case: undefined } } },
    ctx: HandlerContext,
  ) {
    const { scope, row } = callerOf(ctx);
    return mapped(async () => {
      const pid = await pidOf(scope, row.id, req.process);
      const input = req.input?.input;
      if (!input?.case) throw new AppError('bad_request', 'input is required');
      if (input.case === 'pty') {
        const pty = await ptySession(scope, row.id, pid);
        if (!pty) throw new AppError('not_found', `No terminal with pid ${pid}`);
        const ws = await ptySocket(scope, row.id, pid, pty.sessionId);
        ws.send(Buffer.from(input.value), { binary: true });
      } else {
        await processInput(scope, row.id, pid, { data: Buffer.from(input.value).toString('utf8') });
      }
      return {};
    });
  },

  async closeStdin(req: { process?: Selector }, ctx: HandlerContext) {
    const { scope, row } = callerOf(ctx);
    return mapped(async () => {
      await processInput(scope, row.id, await pidOf(scope, row.id, req.process), { eof: true });
      return {};
    });
  },

  /** The requested signal reaches the process group; only SIGKILL waits for it to be gone. */
  async sendSignal(req: { process?: Selector; signal?: number }, ctx: HandlerContext) {
    const { scope, row } = callerOf(ctx);
    const signal = SIGNALS_BY_NUMBER[req.signal ?? 0];
    if (!signal) throw new ConnectError(`Unsupported signal ${req.signal ?? 0}`, Code.InvalidArgument);
    return mapped(async () => {
      const pid = await pidOf(scope, row.id, req.process);
      const pty = await ptySession(scope, row.id, pid);
      if (pty) await killPty(scope, row.id, pty.sessionId, signal);
      else await killProcess(scope, row.id, pid, signal);
      return {};
    });
  },

  async update(req: { process?: Selector; pty?: { size?: { cols: number; rows: number } } }, ctx: HandlerContext) {
    const { scope, row } = callerOf(ctx);
    return mapped(async () => {
      const pid = await pidOf(scope, row.id, req.process);
      const size = req.pty?.size;
      if (!size) return {};
      const pty = await ptySession(scope, row.id, pid);
      if (!pty) throw new AppError('not_found', `No terminal with pid ${pid}`);
      await resizePty(scope, row.id, pty.sessionId, size.cols, size.rows);
      return {};
    });
  },
};
