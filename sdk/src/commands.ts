import type { CallOptions, ApiClient } from './http.ts';
import { ndjson } from './ndjson.ts';
import { TimeoutError, WarrenError } from './errors.ts';
import type { ExecBody, ExecEvent, ExecResult, ProcessEvent, ProcessInfo } from './types.ts';

export type CommandResult = ExecResult;

/** What a kill may send (the API's `?signal=`). */
export type KillSignal = 'SIGTERM' | 'SIGKILL' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2';

export type RunOptions = CallOptions & {
  cwd?: string;
  env?: Record<string, string>;
  user?: 'user' | 'root';
  /** Text piped to the command's stdin, then EOF. */
  stdin?: string;
  /** The command's own limit (whole seconds on the server, at most an hour; default 60 s). */
  timeoutMs?: number;
  /** Output as it arrives (the command is streamed instead of answered at the end). */
  onStdout?: (data: string) => void;
  onStderr?: (data: string) => void;
};

export type BackgroundOptions = Omit<RunOptions, 'stdin' | 'timeoutMs'> & {
  background: true;
  /** `true` keeps stdin open for `sendStdin`; a string is written to it, then EOF. */
  stdin?: boolean | string;
  /** A label for `commands.list()`. */
  tag?: string;
};

/**
 * Commands in a sandbox. A string runs through `bash -c`; an array is an argv. A non-zero exit is
 * a result, not an error (check `exitCode`); a command that hits its timeout throws TimeoutError
 * with the output so far in `details`.
 */
export class Commands {
  constructor(
    private readonly api: ApiClient,
    private readonly sandboxId: string,
  ) {}

  run(cmd: string | string[], opts: BackgroundOptions): Promise<CommandHandle>;
  run(cmd: string | string[], opts?: RunOptions): Promise<CommandResult>;
  async run(cmd: string | string[], opts: RunOptions | BackgroundOptions = {}): Promise<CommandResult | CommandHandle> {
    if ('background' in opts && opts.background) return this.start(cmd, opts);
    const o = opts as RunOptions;
    const body: ExecBody = { cmd, cwd: o.cwd, env: o.env, user: o.user, stdin: o.stdin };
    if (o.timeoutMs !== undefined) body.timeoutSec = Math.min(3600, Math.max(1, Math.ceil(o.timeoutMs / 1000)));
    // The call waits for the command: its deadline is the command's timeout plus the usual one.
    const timeoutMs = (body.timeoutSec ?? 60) * 1000 + this.api.conn.requestTimeoutMs;
    const path = `/sandboxes/${this.sandboxId}/exec`;
    let result: CommandResult;
    if (o.onStdout || o.onStderr) {
      const res = await this.api.request('POST', path, { json: body, headers: { accept: 'application/x-ndjson' }, signal: o.signal, timeoutMs });
      result = await collect(ndjson<ExecEvent>(res.body), o);
    } else {
      // Under an Idempotency-Key: a retry after a lost answer gets the first run's result.
      result = await this.api.json<CommandResult>('POST', path, { json: body, idempotent: true, signal: o.signal, timeoutMs });
    }
    if (result.timedOut) {
      throw new TimeoutError(`Command timed out after ${body.timeoutSec ?? 60} s`, 0, 'command_timeout', { ...result });
    }
    return result;
  }

  private async start(cmd: string | string[], o: BackgroundOptions): Promise<CommandHandle> {
    const started = await this.api.json<{ pid: number }>('POST', `/sandboxes/${this.sandboxId}/processes`, {
      json: { cmd, cwd: o.cwd, env: o.env, user: o.user, tag: o.tag, stdin: o.stdin !== undefined && o.stdin !== false },
      signal: o.signal,
    });
    const handle = new CommandHandle(this.api, this.sandboxId, started.pid, o, o.stdin === true);
    if (typeof o.stdin === 'string') await handle.sendStdin(o.stdin, { eof: true });
    return handle;
  }

  /** Re-attaches to a background command by pid (its recent output is replayed). */
  async connect(pid: number, opts: Pick<RunOptions, 'onStdout' | 'onStderr'> = {}): Promise<CommandHandle> {
    return new CommandHandle(this.api, this.sandboxId, pid, opts, true);
  }

  async list(opts: CallOptions = {}): Promise<ProcessInfo[]> {
    return (await this.api.json<{ processes: ProcessInfo[] }>('GET', `/sandboxes/${this.sandboxId}/processes`, opts)).processes;
  }

  /** SIGKILL unless `killSignal` names another (SIGTERM lets the command end cleanly). */
  async kill(pid: number, opts: CallOptions & { killSignal?: KillSignal } = {}): Promise<void> {
    const { killSignal, ...call } = opts;
    await this.api.request('DELETE', `/sandboxes/${this.sandboxId}/processes/${pid}${killSignal ? `?signal=${killSignal}` : ''}`, call);
  }
}

async function collect(events: AsyncIterable<ExecEvent | ProcessEvent>, o: Pick<RunOptions, 'onStdout' | 'onStderr'>): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  for await (const e of events) {
    if (e.type === 'stdout') {
      stdout += e.data;
      o.onStdout?.(e.data);
    } else if (e.type === 'stderr') {
      stderr += e.data;
      o.onStderr?.(e.data);
    } else if (e.type === 'exit') {
      const x = e as { exitCode: number | null; signal: string | null; durationMs?: number; timedOut?: boolean };
      return { exitCode: x.exitCode, signal: x.signal, stdout, stderr, durationMs: x.durationMs ?? 0, timedOut: x.timedOut ?? false, truncated: false };
    } else if (e.type === 'error') {
      throw new WarrenError(e.message, 0, e.code);
    } else if (e.type === 'detached') {
      throw new WarrenError('The command was lost without an exit status (the sandbox stopped)', 0, 'detached');
    }
  }
  throw new WarrenError('The output stream ended before the command exited', 0, 'stream_ended');
}

/**
 * A background command: it runs on in the sandbox whatever happens to this handle (a dev server
 * keeps serving). Its output is followed from the start (replayed) as soon as the handle exists.
 */
export class CommandHandle {
  private readonly ac = new AbortController();
  private result: Promise<CommandResult> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly sandboxId: string,
    readonly pid: number,
    private readonly opts: Pick<RunOptions, 'onStdout' | 'onStderr'>,
    private stdinOpen: boolean,
  ) {
    if (opts.onStdout || opts.onStderr) void this.wait().catch(() => {});
  }

  private path(rest = '') {
    return `/sandboxes/${this.sandboxId}/processes/${this.pid}${rest}`;
  }

  /** Resolves with the exit status and all the output once the command ends. */
  wait(): Promise<CommandResult> {
    this.result ??= (async () => {
      const res = await this.api.request('GET', this.path('/output'), { signal: this.ac.signal });
      return collect(ndjson<ProcessEvent>(res.body), this.opts);
    })();
    return this.result;
  }

  /** Needs `stdin: true` at start. `eof` closes stdin after writing. */
  async sendStdin(data: string, o: CallOptions & { eof?: boolean } = {}): Promise<void> {
    if (!this.stdinOpen && !o.eof) throw new WarrenError('Start the command with { background: true, stdin: true } to write to it', 0, 'stdin_closed');
    await this.api.request('POST', this.path('/stdin'), { json: { data, eof: o.eof || undefined }, signal: o.signal });
    if (o.eof) this.stdinOpen = false;
  }

  async closeStdin(o: CallOptions = {}): Promise<void> {
    await this.api.request('POST', this.path('/stdin'), { json: { eof: true }, signal: o.signal });
    this.stdinOpen = false;
  }

  /** SIGKILL unless `killSignal` names another (SIGTERM lets the command end cleanly). */
  async kill(o: CallOptions & { killSignal?: KillSignal } = {}): Promise<void> {
    const { killSignal, ...call } = o;
    await this.api.request('DELETE', `${this.path()}${killSignal ? `?signal=${killSignal}` : ''}`, call);
  }

  /** Stops following the output; the command keeps running. */
  disconnect(): void {
    this.ac.abort();
  }
}
