'use client';

import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, Loader2 } from 'lucide-react';
import { api } from '@/lib/client/api';
import type { RunnerHealth } from '@/lib/client/sandbox-types';

/**
 * Says up front why sandboxes cannot run (and how to fix it) instead of letting a create fail
 * later. The server renders the first answer; while not ready it keeps asking /api/health.
 */
export function RunnerBanner({ initial }: { initial: RunnerHealth }) {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) => api<{ ok: boolean; runner: RunnerHealth }>('/api/health', { signal }),
    initialData: { ok: true, runner: initial },
    refetchInterval: (q) => (q.state.data?.runner.state === 'ready' ? false : 5000),
  });
  const runner = health.data.runner;
  if (runner.state === 'ready') return null;
  if (runner.state === 'starting') {
    return (
      <div
        role="status"
        className="mb-4 flex items-center gap-2 rounded-md border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-800"
      >
        <Loader2 className="size-4 animate-spin" /> The sandbox runner is starting; sandboxes can be created in a
        moment.
      </div>
    );
  }
  return (
    <div
      role="alert"
      data-testid="runner-unavailable"
      className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
    >
      <p className="flex items-center gap-2 font-medium">
        <AlertTriangle className="size-4" /> Sandboxes cannot run on this installation right now.
      </p>
      <ul className="mt-2 grid gap-2">
        {runner.problems.map((p) => (
          <li key={p.what}>
            <p>{p.what}</p>
            <p className="text-red-700">
              <span className="font-medium">Fix: </span>
              {p.fix}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
