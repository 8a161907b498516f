import { and, eq, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import type { ExecEvent, ExecRequest } from '@/lib/runner-client';
import { type ExecBody, execBody } from '@/lib/schemas/sandboxes';
import { EXEC_LOG_KEEP, flushExecLog, recordExec } from './exec-log-writer';
import { onRunner } from './lifecycle';
import { fromRunner } from './runner-errors';
import { ownedSandbox } from './store';

export { EXEC_LOG_KEEP } from './exec-log-writer';

/** argv from the API's forms: an array as is; a program plus args; a lone string through bash -c. */
export function toArgv(body: Pick<ExecBody, 'cmd' | 'args'>): string[] {
  if (Array.isArray(body.cmd)) return body.args ? [...body.cmd, ...body.args] : body.cmd;
  return body.args ? [body.cmd, ...body.args] : ['bash', '-c', body.cmd];
}

function runnerRequest(body: ExecBody): ExecRequest {
  return { cmd: toArgv(body), cwd: body.cwd, env: body.env, stdin: body.stdin, timeoutSec: body.timeoutSec, user: body.user };
}

export async function execInSandbox(scope: OrgScope, id: string, input: ExecBody, signal?: AbortSignal) {
  const body = execBody.parse(input);
  const row = await ownedSandbox(scope, id);
  const req = runnerRequest(body);
  const r = await onRunner(row, (c) => c.exec(id, req, { signal }));
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
  const row = await ownedSandbox(scope, id);
  const req = runnerRequest(body);
  const ac = new AbortController();
  signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const events = await onRunner(row, async (c) => {
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
