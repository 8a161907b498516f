import type { OrgScope } from '@/lib/auth/scope';
import { conflict, notFound } from '@/lib/errors';
import type { ProcessOutputEvent, ProcessSignal } from '@/lib/runner-client';
import type { StartProcessBody } from '@/lib/schemas/sandboxes';
import { toArgv } from './exec';
import { onRunner } from './lifecycle';
import { fromRunner } from './runner-errors';
import { recentOwnedSandbox } from './store';
import type { SandboxRow } from './view';

/**
 * Background processes (the SDK's `commands.run(…, {background: true})`): started detached by the
 * runner's agent, so they outlive the request, the client and a runner restart — a dev server an
 * agent starts keeps serving its preview. Output is replayed then followed as NDJSON; stdin stays
 * open when asked for. Each call checks the sandbox belongs to the caller's org.
 */
async function running(scope: OrgScope, id: string) {
  const row = await recentOwnedSandbox(scope, id);
  if (row.state !== 'running') throw conflict(`The sandbox is ${row.state}; start it first`);
  return row;
}

export async function startProcess(scope: OrgScope, id: string, body: StartProcessBody) {
  const row = await running(scope, id);
  const cmd = toArgv(body);
  return onRunner(row, (c) => c.processes.start(id, { cmd, cwd: body.cwd, env: body.env, user: body.user, tag: body.tag, stdin: body.stdin }));
}

/**
 * Starts a background process and follows its output in one runner call (the E2B gateway's
 * Start, where every round trip shows). `row` is the caller's sandbox as the memo or ownedSandbox gave it in
 * this request. The start is awaited before answering, so a refused start is an error and not a
 * broken stream; `signal` applies only once the pid is known, so a caller that gives up early
 * still learns which process it started (to kill it at a deadline). Hanging up only detaches.
 */
export async function startFollowingProcess(scope: OrgScope, row: SandboxRow, body: StartProcessBody, signal: AbortSignal) {
  if (row.orgId !== scope.orgId) throw notFound('Sandbox');
  if (row.state !== 'running') throw conflict(`The sandbox is ${row.state}; start it first`);
  const cmd = toArgv(body);
  const ac = new AbortController();
  const { it, pid } = await onRunner(row, async (c) => {
    const it = c.processes.startFollow(row.id, { cmd, cwd: body.cwd, env: body.env, user: body.user, tag: body.tag, stdin: body.stdin }, { signal: ac.signal });
    const first = await it.next();
    if (first.done || first.value.type !== 'start') {
      ac.abort(); // close the runner connection rather than leave it open until the process ends
      throw new Error('The runner did not say the process started');
    }
    return { it: it as AsyncGenerator<ProcessOutputEvent>, pid: first.value.pid };
  });
  if (signal.aborted) ac.abort(signal.reason);
  else signal.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
  return { it, pid };
}

export async function listProcesses(scope: OrgScope, id: string) {
  const row = await recentOwnedSandbox(scope, id);
  if (row.state !== 'running') return [];
  return onRunner(row, (c) => c.processes.list(id));
}

export async function processInput(scope: OrgScope, id: string, pid: number, body: { data?: string; eof?: boolean }) {
  const row = await running(scope, id);
  await onRunner(row, (c) => c.processes.input(id, pid, body));
}

export async function killProcess(scope: OrgScope, id: string, pid: number, signal: ProcessSignal = 'SIGKILL') {
  const row = await running(scope, id);
  await onRunner(row, (c) => c.processes.kill(id, pid, signal));
}

/**
 * NDJSON of the runner's output events, the first awaited before answering (an unknown pid is
 * still a 404, not a broken stream). Hanging up only stops following: the process runs on.
 */
/** The same events as a typed iterator (the E2B gateway's Start and Connect), first one awaited. */
export async function followProcess(scope: OrgScope, id: string, pid: number, signal: AbortSignal) {
  const row = await running(scope, id);
  return onRunner(row, async (c) => {
    const it = c.processes.output(id, pid, { signal });
    return { it, first: await it.next() };
  });
}

export async function processOutput(scope: OrgScope, id: string, pid: number, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const ac = new AbortController();
  signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const events = await followProcess(scope, id, pid, ac.signal);
  const enc = new TextEncoder();
  const line = (e: ProcessOutputEvent | { type: 'error'; code: string; message: string }) => enc.encode(`${JSON.stringify(e)}\n`);
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        if (!events.first.done) controller.enqueue(line(events.first.value));
        for (let n = await events.it.next(); !n.done; n = await events.it.next()) controller.enqueue(line(n.value));
        controller.close();
      } catch (err) {
        if (ac.signal.aborted) return;
        const e = fromRunner(err) as { code?: string; message?: string };
        controller.enqueue(line({ type: 'error', code: e.code ?? 'internal', message: e.message ?? 'stream failed' }));
        controller.close();
      }
    },
    cancel() {
      ac.abort();
    },
  });
}
