import type { ServerResponse } from 'node:http';
import type { ExecResult } from '@/lib/runner-client/types';
import type { ExecBody } from '@/runner/api/schemas';
import type { SandboxManager } from '@/runner/sandbox/types';
import { commandEnv, identity, sandboxPath } from './command-env';
import { normalizeExit, pumpOutput, writeEvent } from './output-pump';

/** Default cap on each of stdout and stderr of a buffered exec; streaming execs are uncapped. */
export const DEFAULT_MAX_EXEC_OUTPUT = 16 * 1024 * 1024;

/**
 * Output as a UTF-8 string, plus the exact bytes in base64 when they are not valid UTF-8 (a
 * binary or truncated-mid-character output would otherwise be silently altered).
 */
function text(buf: Buffer): [string, string | undefined] {
  const s = buf.toString('utf8');
  const exact = Buffer.byteLength(s) === buf.length && Buffer.from(s, 'utf8').equals(buf);
  return [s, exact ? undefined : buf.toString('base64')];
}

/** One-shot commands in a running sandbox, buffered (JSON) or streamed (NDJSON). */
export class ExecService {
  constructor(
    private readonly manager: SandboxManager,
    private readonly maxOutputBytes = DEFAULT_MAX_EXEC_OUTPUT,
  ) {}

  private prepare(id: string, body: ExecBody) {
    const info = this.manager.get(id);
    const agent = this.manager.agent(id);
    this.manager.touch(id);
    const who = identity(body.user);
    const stdin =
      body.stdinBase64 !== undefined
        ? Buffer.from(body.stdinBase64, 'base64')
        : body.stdin !== undefined
          ? Buffer.from(body.stdin, 'utf8')
          : undefined;
    const spec = {
      argv: body.cmd,
      env: commandEnv(info, body.user, body.env, this.manager.secretEnv(id)),
      cwd: body.cwd ? sandboxPath(body.cwd, who.home) : (info.workdir ?? who.home),
      uid: who.uid,
      gid: who.gid,
    };
    return { agent, spec, stdin };
  }

  async run(id: string, body: ExecBody, signal?: AbortSignal): Promise<ExecResult> {
    const { agent, spec, stdin } = this.prepare(id, body);
    const r = await agent.exec({
      ...spec,
      stdin,
      timeoutMs: body.timeoutSec * 1000,
      maxOutputBytes: this.maxOutputBytes,
      signal,
    });
    this.manager.touch(id);
    const [stdout, stdoutBase64] = text(r.stdout);
    const [stderr, stderrBase64] = text(r.stderr);
    return {
      ...normalizeExit(r),
      stdout,
      stderr,
      ...(stdoutBase64 && { stdoutBase64 }),
      ...(stderrBase64 && { stderrBase64 }),
      durationMs: r.durationMs,
      timedOut: r.timedOut,
      truncated: r.truncated,
    };
  }

  /**
   * Streams a command's output as NDJSON into `res`. The HTTP response closing before the
   * command exits (client gone) kills the command: nobody would ever read its result.
   */
  async stream(id: string, body: ExecBody, res: ServerResponse): Promise<void> {
    const { agent, spec, stdin } = this.prepare(id, body);
    const started = Date.now();
    const proc = await agent.spawn(spec);
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    writeEvent(res, { type: 'start', pid: proc.pid });
    if (stdin?.length) proc.write(stdin);
    proc.end();

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, body.timeoutSec * 1000);
    const exit = await pumpOutput(proc, res).finally(() => clearTimeout(timer));
    this.manager.touch(id);
    if (!exit) {
      // Client went away (or the agent connection dropped): make sure nothing keeps running.
      // Closing the connection alone makes the agent kill a non-detached command.
      proc.kill('SIGKILL');
      proc.detach();
      writeEvent(res, { type: 'error', message: 'Lost the connection to the sandbox before the command exited' });
      res.end();
      return;
    }
    writeEvent(res, { type: 'exit', ...exit, durationMs: Date.now() - started, timedOut });
    res.end();
  }
}
