import type { OrgScope } from '@/lib/auth/scope';
import { conflict } from '@/lib/errors';
import type { ProcessOutputEvent } from '@/lib/runner-client';
import type { StartProcessBody } from '@/lib/schemas/sandboxes';
import { toArgv } from './exec';
import { onRunner } from './lifecycle';
import { fromRunner } from './runner-errors';
import { ownedSandbox } from './store';

/**
 * Background processes (the SDK's `commands.run(…, {background: true})`): started detached by the
 * runner's agent, so they outlive the request, the client and a runner restart — a dev server an
 * agent starts keeps serving its preview. Output is replayed then followed as NDJSON; stdin stays
 * open when asked for. Each call checks the sandbox belongs to the caller's org.
 */
async function running(scope: OrgScope, id: string) {
  const row = await ownedSandbox(scope, id);
  if (row.state !== 'running') throw conflict(`The sandbox is ${row.state}; start it first`);
  return row;
}

export async function startProcess(scope: OrgScope, id: string, body: StartProcessBody) {
  const row = await running(scope, id);
  const cmd = toArgv(body);
  return onRunner(row, (c) => c.processes.start(id, { cmd, cwd: body.cwd, env: body.env, user: body.user, tag: body.tag, stdin: body.stdin }));
}

export async function listProcesses(scope: OrgScope, id: string) {
  const row = await ownedSandbox(scope, id);
  if (row.state !== 'running') return [];
  return onRunner(row, (c) => c.processes.list(id));
}

export async function processInput(scope: OrgScope, id: string, pid: number, body: { data?: string; eof?: boolean }) {
  const row = await running(scope, id);
  await onRunner(row, (c) => c.processes.input(id, pid, body));
}

export async function killProcess(scope: OrgScope, id: string, pid: number) {
  const row = await running(scope, id);
  await onRunner(row, (c) => c.processes.kill(id, pid));
}

/**
 * NDJSON of the runner's output events, the first awaited before answering (an unknown pid is
 * still a 404, not a broken stream). Hanging up only stops following: the process runs on.
 */
export async function processOutput(scope: OrgScope, id: string, pid: number, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const row = await running(scope, id);
  const ac = new AbortController();
  signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const events = await onRunner(row, async (c) => {
    const it = c.processes.output(id, pid, { signal: ac.signal });
    return { it, first: await it.next() };
  });
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
