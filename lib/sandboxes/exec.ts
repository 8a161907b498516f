import { and, eq, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import type { ExecEvent, ExecRequest } from '@/lib/runner-client';
import { type ExecBody, execBody } from '@/lib/schemas/sandboxes';
import { EXEC_LOG_KEEP, flushExecLog, recordExec } from './exec-log-writer';
import { runnerClient } from '@/lib/runners/registry';
import { forgetSandboxRow, recallSandboxRow } from './sandbox-row-memo';
import { onRunner } from './lifecycle';
import { fromRunner, isRunnerNotFound } from './runner-errors';
import { ownedSandbox, recentOwnedSandbox } from './store';

export { EXEC_LOG_KEEP } from './exec-log-writer';

/** argv from the API's forms: an array as is; a program plus args; a lone string through bash -c. */
export function toArgv(body: Pick<ExecBody, 'cmd' | 'args'>): string[] {
  if (Array.isArray(body.cmd)) return body.args ? [...body.cmd, ...body.args] : body.cmd;
  return body.args ? [body.cmd, ...body.args] : ['bash', '-c', body.cmd];
}

function runnerRequest(body: ExecBody): ExecRequest {
  return { cmd: toArgv(body), cwd: body.cwd, env: body.env, stdin: body.stdin, timeoutSec: body.timeoutSec, user: body.user };
}

type Client = Awaited<ReturnType<typeof runnerClient>>;

/**
 * `fn` on the runner of the org's sandbox `id`, found by the sandbox memo (./sandbox-row-memo.ts)
 * or by reading its row. A memoised row the runner does not know is not trusted (it may have
 * been deleted meanwhile): the row is read again and the call goes as if nothing was memoised.
 * The runner's "Sandbox not found" comes before anything runs, so the second try runs it once.
 */
async function onExecTarget<T>(scope: OrgScope, id: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const memo = recallSandboxRow(scope.orgId, id);
  if (memo) {
    try {
      return await fn(await runnerClient(memo.runnerId));
    } catch (err) {
      if (!(isRunnerNotFound(err) && (err as Error).message === 'Sandbox not found')) throw fromRunner(err);
      forgetSandboxRow(id);
    }
  }
  return onRunner(await recentOwnedSandbox(scope, id), fn);
}

export async function execInSandbox(scope: OrgScope, id: string, input: ExecBody, signal?: AbortSignal) {
  const body = execBody.parse(input);
  const req = runnerRequest(body);
  const r = await onExecTarget(scope, id, (c) => c.exec(id, req, { signal }));
  recordExec(scope.orgId, id, req.cmd, r.exitCode, r.durationMs); // stored after the response (./exec-log-writer.ts)
  return { exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs, timedOut: r.timedOut, truncated: r.truncated };
}

/**
 * NDJSON stream of the runner's events (start, stdout, stderr, exit). The first event is awaited
 * before answering, so a wrong state or an unknown sandbox is still a proper 4xx, not a broken
 * stream. A caller that hangs up aborts the runner request, which kills the command.
 */
export async function execStreamInSandbox(scope: OrgScope, id: string, input: ExecBody, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const body = execBody.parse(input);
  const req = runnerRequest(body);
  const ac = new AbortController();
  signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const events = await onExecTarget(scope, id, async (c) => {
    const it = c.execStream(id, req, { signal: ac.signal });
    const first = await it.next();
    return { it, first };
  });
  const enc = new TextEncoder();
  const line = (e: ExecEvent) => enc.encode(`${JSON.stringify(e)}\n`);
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        if (!events.first.done) controller.enqueue(line(events.first.value));
        for (let n = await events.it.next(); !n.done; n = await events.it.next()) {
          controller.enqueue(line(n.value));
          if (n.value.type === 'exit') recordExec(scope.orgId, id, req.cmd, n.value.exitCode, n.value.durationMs);
        }
        controller.close();
      } catch (err) {
        if (ac.signal.aborted) return;
        const e = fromRunner(err) as { code?: string; message?: string };
        controller.enqueue(enc.encode(`${JSON.stringify({ type: 'error', code: e.code ?? 'internal', message: e.message ?? 'stream failed' })}\n`));
        controller.close();
      }
    },
    cancel() {
      ac.abort();
    },
  });
}

export async function listExecLog(scope: OrgScope, id: string, limit = 50) {
  const row = await ownedSandbox(scope, id);
  await flushExecLog(); // what this process answered is in the log before it is read
  const db = await getDb();
  const { execLog } = schema;
  const rows = await db
    .select()
    .from(execLog)
    .where(and(eq(execLog.sandboxId, row.id), eq(execLog.orgId, scope.orgId)))
    .orderBy(sql`${execLog.createdAt} desc`)
    .limit(Math.min(Math.max(limit, 1), EXEC_LOG_KEEP));
  return rows.map((r) => ({ id: r.id, cmd: r.cmd, exitCode: r.exitCode, durationMs: r.durationMs, createdAt: r.createdAt.toISOString() }));
}
