'use client';

import { Badge } from '@/components/ui/badge';
import type { TemplateBuild } from '@/lib/client/sandbox-types';

type StepState = 'cached' | 'done' | 'running' | 'failed' | 'pending';
export type LogStep = { n: number; total: number; title: string; output: string[]; state: StepState; tail: string | null };

/** `2026-…Z text` → `text` (the build log stamps every line). */
const unstamp = (line: string) => line.replace(/^\d{4}-\d\d-\d\dT[0-9:.]+Z /, '');

/**
 * A recipe build's log (lib/templates/recipe-build.ts writes `Step n/N : …`, the step's output,
 * then ` ---> CACHED|ran in …|config <key>`) as steps with a state each: what has ended, the
 * step running now (the one after the last that ended), the one that failed, what is still to come.
 */
export function parseBuildSteps(log: string, status: TemplateBuild['status']): LogStep[] {
  const steps: LogStep[] = [];
  let cur: LogStep | null = null;
  for (const raw of log.split('\n')) {
    if (!raw) continue;
    const line = unstamp(raw);
    const head = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
    if (head) {
      cur = { n: Number(head[1]), total: Number(head[2]), title: head[3]!, output: [], state: 'running', tail: null };
      steps.push(cur);
      continue;
    }
    if (!cur || cur.tail !== null) continue;
    const tail = /^ ---> (.*)$/.exec(line);
    if (tail) {
      cur.tail = tail[1]!;
      cur.state = /^CACHED/.test(cur.tail) ? 'cached' : 'done';
    } else cur.output.push(line);
  }
  const total = steps[0]?.total ?? 0;
  const last = steps.at(-1);
  if (last && last.tail === null) last.state = status === 'failed' ? 'failed' : status === 'cancelled' ? 'pending' : 'running';
  // The step after the last that ended has no line yet (a step's lines land when it ends): it
  // is the one running, or the one that failed without output.
  const next = (last?.n ?? 0) + 1;
  const nextState: StepState = !last || last.tail === null ? 'pending' : status === 'running' ? 'running' : status === 'failed' ? 'failed' : 'pending';
  for (let n = next; n <= total; n++) steps.push({ n, total, title: '', output: [], state: n === next ? nextState : 'pending', tail: null });
  return steps;
}

const TONE: Record<StepState, 'success' | 'neutral' | 'warning' | 'danger'> = { cached: 'neutral', done: 'success', running: 'warning', failed: 'danger', pending: 'neutral' };
const LABEL: Record<StepState, string> = { cached: 'cached', done: 'done', running: 'running', failed: 'failed', pending: 'waiting' };

/** The steps of a recipe build, each with its state and (folded) output; nothing for a pull. */
export function BuildStepsView({ build }: { build: TemplateBuild }) {
  const steps = parseBuildSteps(build.log, build.status);
  if (!steps.length) return null;
  const ended = steps.filter((s) => s.state === 'done' || s.state === 'cached').length;
  return (
    <section aria-label="Build steps" className="grid gap-2">
      <div className="flex items-center gap-3 text-sm text-zinc-600">
        <span data-testid="build-progress">
          {ended} of {steps[0]!.total} steps done
        </span>
        <progress className="h-2 flex-1 accent-indigo-600" max={steps[0]!.total} value={ended} aria-label="Build progress" />
      </div>
      <ol className="grid gap-1" data-testid="build-steps">
        {steps.map((s) => (
          <li key={s.n} data-testid={`build-step-${s.n}`} data-state={s.state} className="rounded-md border border-zinc-200 text-sm">
            <details open={s.state === 'failed' || undefined}>
              <summary className="flex cursor-pointer items-center gap-2 px-3 py-1.5">
                <span className="w-12 shrink-0 text-xs text-zinc-500">
                  {s.n}/{s.total}
                </span>
                <code className="min-w-0 flex-1 truncate font-mono text-xs">{s.title || '…'}</code>
                {s.tail && !/^CACHED/.test(s.tail) ? <span className="hidden text-xs text-zinc-500 sm:inline">{s.tail.replace(/ [a-f0-9]{12}$/, '')}</span> : null}
                <Badge tone={TONE[s.state]}>{LABEL[s.state]}</Badge>
              </summary>
              {s.output.length ? <pre className="max-h-48 overflow-auto border-t border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs whitespace-pre-wrap">{s.output.join('\n')}</pre> : null}
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
