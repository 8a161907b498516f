'use client';

import { useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox, Snapshot } from '@/lib/client/sandbox-types';

export type Lifecycle = 'start' | 'stop' | 'pause' | 'resume';
const DONE: Record<Lifecycle, string> = { start: 'started', stop: 'stopped', pause: 'paused', resume: 'resumed' };

/** Query keys shared by the list, the sandbox page and the snapshots page, so one change refreshes all. */
export const sandboxKeys = {
  all: (org: string) => ['sandboxes', org] as const,
  one: (org: string, id: string) => ['sandboxes', org, 'one', id] as const,
  snapshots: (org: string) => ['snapshots', org] as const,
};

/**
 * Lifecycle, timeout, fork and delete calls with their toasts and cache refreshes. `busy` names
 * the call in flight so the caller can disable its buttons meanwhile.
 */
export function useSandboxMutations() {
  const { org } = useOrg();
  const qc = useQueryClient();
  const [busy, setBusy] = React.useState<string | null>(null);

  const refresh = React.useCallback(async () => {
    await Promise.all([
      qc.invalidateQueries({ queryKey: sandboxKeys.all(org.slug) }),
      qc.invalidateQueries({ queryKey: sandboxKeys.snapshots(org.slug) }),
    ]);
  }, [qc, org.slug]);

  async function run<T>(label: string, fn: () => Promise<T>, success?: string): Promise<T | undefined> {
    setBusy(label);
    try {
      const out = await fn();
      if (success) toast.success(success);
      return out;
    } catch (err) {
      toast.error(errorMessage(err));
      return undefined;
    } finally {
      setBusy(null);
      await refresh();
    }
  }

  return {
    busy,
    refresh,
    lifecycle: (id: string, action: Lifecycle) =>
      run(
        action,
        () => api<Sandbox>(`/api/v1/sandboxes/${id}/${action}`, { method: 'POST', org: org.slug }),
        `Sandbox ${DONE[action]}`,
      ),
    /** Throws (for dialogs that show the error inline). */
    extend: async (id: string, timeoutSec: number) => {
      await api<Sandbox>(`/api/v1/sandboxes/${id}/timeout`, { method: 'POST', body: { timeoutSec }, org: org.slug });
      toast.success('Timeout extended');
      await refresh();
    },
    remove: async (id: string) => {
      await api(`/api/v1/sandboxes/${id}`, { method: 'DELETE', org: org.slug });
      toast.success('Sandbox deleted');
      await refresh();
    },
    /** A new sandbox from a snapshot, with the same resources as `like` when given. */
    forkFromSnapshot: (snapshotId: string, like?: Sandbox) =>
      run(
        'fork',
        () =>
          api<Sandbox>('/api/v1/sandboxes', {
            method: 'POST',
            org: org.slug,
            body: like
              ? { snapshotId, template: like.template, cpu: like.cpu, memoryMb: like.memoryMb, diskMb: like.diskMb }
              : { snapshotId },
          }),
        'Forked into a new sandbox',
      ),
    /** Fork = snapshot now + a sandbox from that snapshot (the API's only way to copy a filesystem). */
    fork: (sb: Sandbox) =>
      run(
        'fork',
        async () => {
          const snap = await api<Snapshot>(`/api/v1/sandboxes/${sb.id}/snapshots`, {
            method: 'POST',
            org: org.slug,
            body: { name: `fork of ${sb.id}` },
          });
          return api<Sandbox>('/api/v1/sandboxes', {
            method: 'POST',
            org: org.slug,
            body: { snapshotId: snap.id, template: sb.template, cpu: sb.cpu, memoryMb: sb.memoryMb, diskMb: sb.diskMb },
          });
        },
        'Forked into a new sandbox',
      ),
  };
}
