'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { RefreshCw } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { Dialog, DialogContent, DialogHeader } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { BuildStepsView } from './build-steps-view';
import { sourceLabel } from './source-label';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { formatBytes } from '@/lib/client/sandbox-format';
import type { Template, TemplateBuild } from '@/lib/client/sandbox-types';

const live = (s: string | undefined) => s === 'queued' || s === 'running';

export function BuildStatus({ status }: { status: TemplateBuild['status'] }) {
  const tone = status === 'succeeded' ? 'success' : status === 'failed' ? 'danger' : status === 'cancelled' ? 'neutral' : 'warning';
  return <Badge tone={tone}>{status}</Badge>;
}

/** A template's build history and the chosen build's log, refreshed every second while it runs. */
export function BuildsDialog({ template, initialBuildId, onClose }: { template: Template; initialBuildId?: string; onClose: () => void }) {
  const { org, can } = useOrg();
  const qc = useQueryClient();
  const [selected, setSelected] = React.useState<string | undefined>(initialBuildId);
  const base = `/api/v1/templates/${template.id}/builds`;
  const builds = useQuery({
    queryKey: ['template-builds', org.slug, template.id],
    queryFn: ({ signal }) => api<{ builds: TemplateBuild[] }>(base, { org: org.slug, signal }),
    refetchInterval: (q) => (q.state.data?.builds.some((b) => live(b.status)) ? 1000 : false),
  });
  const chosen = selected ?? builds.data?.builds[0]?.id;
  const build = useQuery({
    queryKey: ['template-build', org.slug, template.id, chosen],
    queryFn: ({ signal }) => api<{ build: TemplateBuild }>(`${base}/${chosen}`, { org: org.slug, signal }),
    enabled: Boolean(chosen),
    refetchInterval: (q) => (live(q.state.data?.build.status) || !q.state.data ? 1000 : false),
  });
  const b = build.data?.build;
  const finished = b ? !live(b.status) : false;
  React.useEffect(() => {
    if (finished) void qc.invalidateQueries({ queryKey: ['templates', org.slug] });
  }, [finished, qc, org.slug]);
  // Follow the log's end as lines arrive (a ref callback runs on every new log text).
  const logLength = b?.log.length ?? 0;
  const followLog = React.useCallback(
    (el: HTMLPreElement | null) => {
      if (el && logLength >= 0) el.scrollTo({ top: el.scrollHeight });
    },
    [logLength],
  );

  async function rebuild() {
    try {
      const res = await api<{ build: TemplateBuild }>(base, { method: 'POST', org: org.slug });
      toast.success(`Build ${res.build.version} queued`);
      setSelected(res.build.id);
      await qc.invalidateQueries({ queryKey: ['template-builds', org.slug, template.id] });
    } catch (err) {
      toast.error(errorMessage(err));
    }
  }

  async function cancel(buildId: string) {
    try {
      await api(`${base}/${buildId}/cancel`, { method: 'POST', org: org.slug });
      toast.success('Build cancelled');
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['template-builds', org.slug, template.id] }),
        qc.invalidateQueries({ queryKey: ['template-build', org.slug, template.id, buildId] }),
      ]);
    } catch (err) {
      toast.error(errorMessage(err));
    }
  }

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-h-[90vh] max-w-4xl overflow-y-auto">
        <DialogHeader title={`Builds of ${template.name}`} description={sourceLabel(template.source)} />
        {builds.isError ? <FormError message={errorMessage(builds.error)} /> : null}
        <div className="grid gap-4 md:grid-cols-[14rem_1fr]">
          <div className="grid content-start gap-1" role="listbox" aria-label="Builds">
            {builds.isPending ? <Spinner /> : null}
            {builds.data?.builds.length === 0 ? <p className="text-sm text-zinc-500">No builds yet: rebuild to pull the image.</p> : null}
            {builds.data?.builds.map((x) => (
              <button
                key={x.id}
                type="button"
                role="option"
                aria-selected={x.id === chosen}
                onClick={() => setSelected(x.id)}
                className={`flex items-center justify-between gap-2 rounded-md border px-3 py-2 text-left text-sm ${x.id === chosen ? 'border-indigo-300 bg-indigo-50' : 'border-zinc-200 hover:bg-zinc-50'}`}
              >
                <span>
                  <span className="font-medium">v{x.version}</span> <span className="text-xs text-zinc-500" title={formatDateTime(x.createdAt)}>{formatRelative(x.createdAt)}</span>
                </span>
                <BuildStatus status={x.status} />
              </button>
            ))}
            {can('sandboxes:write') && !template.builtin && !template.public ? (
              <Button variant="outline" size="sm" onClick={rebuild} className="mt-2">
                <RefreshCw /> Rebuild
              </Button>
            ) : null}
          </div>
          <div className="grid min-w-0 content-start gap-2">
            {b ? (
              <>
                <div className="flex flex-wrap items-center gap-2 text-sm text-zinc-600">
                  <BuildStatus status={b.status} />
                  {live(b.status) ? <Spinner label="Building" /> : null}
                  {live(b.status) && can('sandboxes:write') && !template.public ? (
                    <Button variant="outline" size="sm" onClick={() => void cancel(b.id)}>
                      Cancel build
                    </Button>
                  ) : null}
                  {b.imageDigest ? (
                    <span className="flex items-center gap-1 font-mono text-xs">
                      {b.imageDigest.slice(0, 19)}… <CopyButton value={b.imageDigest} label="Copy digest" />
                    </span>
                  ) : null}
                  {b.sizeBytes !== null ? <span>{formatBytes(b.sizeBytes)}</span> : null}
                  <span className="text-xs">on runner {b.runnerId}</span>
                </div>
                {b.error ? <FormError message={`${b.error.code}: ${b.error.message}`} /> : null}
                <BuildStepsView build={b} />
                <pre ref={followLog} data-testid="build-log" className="max-h-96 overflow-auto rounded-md bg-zinc-950 p-3 font-mono text-xs text-zinc-100 whitespace-pre-wrap">
                  {b.log || 'Waiting for the log…'}
                </pre>
              </>
            ) : chosen ? (
              <Spinner />
            ) : null}
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}
