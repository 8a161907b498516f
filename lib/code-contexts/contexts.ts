import { randomBytes } from 'node:crypto';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, notFound } from '@/lib/errors';
import { followProcess, killProcess, listProcesses, processInput, startProcess } from '@/lib/sandboxes/processes';
import { kernelArgv, type Language, LANGUAGES } from './kernels';

/**
 * Stateful code contexts: each is a kernel process inside the sandbox (lib/code-contexts/kernels)
 * started detached by the runner's agent, tagged `warren-kernel:<contextId>:<language>`, so the
 * runner's process table is the only state: contexts survive console and runner restarts and
 * die with the sandbox's processes. Cells go in on the kernel's stdin, events come back on its
 * stdout, matched by a per-cell id (the output replayed on each follow holds older cells' lines).
 */
const TAG = 'warren-kernel';
export type CodeContext = { id: string; language: Language; cwd: string };
export type CodeEvent =
  | { type: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; text?: string; png?: string; html?: string; json?: unknown; is_main_result: boolean }
  | { type: 'error'; name: string; value: string; traceback: string }
  | { type: 'number_of_executions'; execution_count: number };

const defaultId = (language: Language) => `default-${language}`;
export const MAX_CONTEXTS = 16;
const parseTag = (tag: string | null) => {
  const m = /^warren-kernel:([a-z0-9-]{1,64}):(python|javascript|bash)$/.exec(tag ?? '');
  return m ? { id: m[1]!, language: m[2] as Language } : null;
};

async function kernels(scope: OrgScope, sandboxId: string) {
  const procs = await listProcesses(scope, sandboxId);
  return procs.flatMap((p) => {
    const t = parseTag(p.tag);
    return t && p.running ? [{ ...t, pid: p.pid }] : [];
  });
}

export async function listContexts(scope: OrgScope, sandboxId: string): Promise<CodeContext[]> {
  return (await kernels(scope, sandboxId)).map(({ id, language }) => ({ id, language, cwd: '/home/user' }));
}

export async function createContext(scope: OrgScope, sandboxId: string, language: Language, id = randomBytes(10).toString('hex')): Promise<CodeContext & { pid: number }> {
  if (!LANGUAGES.includes(language)) throw new AppError('bad_request', `language is one of ${LANGUAGES.join(', ')}`);
  // Creating a context needs no token on the code interpreter's port when the sandbox's ports
  // are public (as on E2B): whoever learns a public host name must not fill the sandbox with kernels.
  if ((await kernels(scope, sandboxId)).filter((k) => k.id !== id).length >= MAX_CONTEXTS) {
    throw new AppError('quota_exceeded', `A sandbox runs at most ${MAX_CONTEXTS} code contexts; delete one first`);
  }
  const { pid } = await startProcess(scope, sandboxId, {
    cmd: kernelArgv(language),
    cwd: '/home/user',
    env: { MPLBACKEND: 'Agg', PYTHONUNBUFFERED: '1' },
    tag: `${TAG}:${id}:${language}`,
    stdin: true,
  });
  return { id, language, cwd: '/home/user', pid };
}

export async function deleteContext(scope: OrgScope, sandboxId: string, contextId: string): Promise<void> {
  const k = (await kernels(scope, sandboxId)).find((x) => x.id === contextId);
  if (!k) throw notFound('Context');
  await killProcess(scope, sandboxId, k.pid);
}

/** A fresh kernel under the same id: variables and imports are gone. */
export async function restartContext(scope: OrgScope, sandboxId: string, contextId: string): Promise<CodeContext> {
  const k = (await kernels(scope, sandboxId)).find((x) => x.id === contextId);
  if (!k) throw notFound('Context');
  await killProcess(scope, sandboxId, k.pid);
  const { pid: _pid, ...ctx } = await createContext(scope, sandboxId, k.language, k.id);
  return ctx;
}

/**
 * Runs one cell: in `contextId`'s kernel, or in the language's default context (made on first
 * use). Events are matched to the cell by its id; the generator ends
 * after the kernel's end event (or when `signal` aborts; the kernel lives on).
 */
export async function* runCode(
  scope: OrgScope,
  sandboxId: string,
  input: { code: string; language?: Language; contextId?: string },
  signal: AbortSignal,
): AsyncGenerator<CodeEvent> {
  const all = await kernels(scope, sandboxId);
  let k = input.contextId ? all.find((x) => x.id === input.contextId) : all.find((x) => x.id === defaultId(input.language ?? 'python'));
  if (!k && input.contextId && !input.contextId.startsWith('default-')) throw notFound('Context');
  if (!k) {
    const language = input.language ?? 'python';
    k = { ...(await createContext(scope, sandboxId, language, defaultId(language))) };
  }
  const cell = randomBytes(8).toString('hex');
  // The follow waits for the kernel's first output, which only the cell makes: send it meanwhile
  // (the runner replays recent output to a new follower, so nothing printed in between is lost).
  const following = followProcess(scope, sandboxId, k.pid, signal);
  following.catch(() => {});
  await processInput(scope, sandboxId, k.pid, { data: `${JSON.stringify({ id: cell, code: input.code })}\n` });
  const { it, first } = await following;
  let buf = '';
  for (let n = first; !n.done; n = await it.next()) {
    const e = n.value;
    if (e.type === 'exit' || e.type === 'detached') {
      yield { type: 'error', name: 'KernelDied', value: 'The context\'s kernel exited; restart the context', traceback: '' };
      return;
    }
    if (e.type !== 'stdout') continue;
    buf += e.data;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
      let ev: ({ id?: string } & (CodeEvent | { type: 'end' })) | null = null;
      try {
        ev = JSON.parse(line);
      } catch {
        continue; // a line cut by the replay's start, or an older cell's
      }
      if (!ev || ev.id !== cell) continue;
      const { id: _id, ...rest } = ev;
      if (rest.type === 'end') return;
      yield rest as CodeEvent;
    }
  }
}
