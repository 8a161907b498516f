'use client';

import { useQuery } from '@tanstack/react-query';
import { Camera, FolderOpen, GitFork, Trash2 } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { useSandboxMutations, sandboxKeys } from '@/components/sandboxes/use-sandbox-mutations';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ListToolbar, matchesSearch, useListFilter } from '@/components/ui/list-toolbar';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { formatBytes } from '@/lib/client/sandbox-format';
import type { Sandbox, Snapshot } from '@/lib/client/sandbox-types';
import { SaveAsTemplateButton } from '@/components/templates/save-as-template';
import { SnapshotBrowser } from './snapshot-browser';

/**
 * The org's snapshots, or one sandbox's (`sandbox` given): browse read-only, fork into a new
 * sandbox (then open it), delete (a 409 explains which forks still use it).
 */
export function SnapshotsTable({ sandbox, emptyHint }: { sandbox?: Sandbox; emptyHint: React.ReactNode }) {
  const { org, can } = useOrg();
  const router = useRouter();
  const m = useSandboxMutations();
  const [browsing, setBrowsing] = React.useState<Snapshot | null>(null);
  const [deleting, setDeleting] = React.useState<Snapshot | null>(null);
  const [forking, setForking] = React.useState<string | null>(null);
  const list = useQuery({
    queryKey: [...sandboxKeys.snapshots(org.slug), sandbox?.id ?? 'all'],
    queryFn: ({ signal }) =>
      api<{ snapshots: Snapshot[] }>(sandbox ? `/api/v1/sandboxes/${sandbox.id}/snapshots` : '/api/v1/snapshots', {
        org: org.slug,
        signal,
      }),
  });
  const all = list.data?.snapshots ?? [];
  const filter = useListFilter();
  const rows = all.filter((s) => matchesSearch(filter.q, [s.id, s.name, s.sandboxId]));

  async function fork(s: Snapshot) {
    setForking(s.id);
    const created = await m.forkFromSnapshot(s.id, sandbox);
    setForking(null);
    if (created) router.push(`/${org.slug}/sandboxes/${created.id}`);
  }

  return (
    <>
      {sandbox ? null : <ListToolbar filter={filter} searchLabel="Search snapshots by id, name or sandbox" />}
      <QueryStates query={list} columns={5} />
      {list.data && all.length > 0 && rows.length === 0 ? (
        <EmptyState icon={Camera} title="No snapshots match this search" description="Clear the search to see more." />
      ) : null}
      {list.data && all.length === 0 ? (
        <EmptyState icon={Camera} title="No snapshots yet" description={emptyHint} />
      ) : null}
      {rows.length > 0 ? (
        <Table data-testid="snapshots-table">
          <THead>
            <TR>
              <TH>Snapshot</TH>
              <TH className="text-right">Size</TH>
              {sandbox ? null : <TH>Parent sandbox</TH>}
              <TH>Created</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((s) => (
              <TR key={s.id} data-testid={`snapshot-${s.name ?? s.id}`}>
                <TD>
                  <div className="font-medium text-zinc-900">{s.name ?? 'Untitled'}</div>
                  <div className="font-mono text-xs text-zinc-500">{s.id}</div>
                </TD>
                <TD className="text-right whitespace-nowrap text-zinc-500">{formatBytes(s.sizeBytes)}</TD>
                {sandbox ? null : (
                  <TD className="font-mono text-xs">
                    {s.sandboxId ? (
                      <Link className="text-indigo-700 hover:underline" href={`/${org.slug}/sandboxes/${s.sandboxId}`}>
                        {s.sandboxId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </TD>
                )}
                <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(s.createdAt)}</TD>
                <TD>
                  <div className="flex justify-end gap-1">
                    <Button variant="outline" size="sm" onClick={() => setBrowsing(browsing?.id === s.id ? null : s)}>
                      <FolderOpen /> Browse
                    </Button>
                    {can('sandboxes:write') ? (
                      <Button
                        variant="outline"
                        size="sm"
                        pending={forking === s.id}
                        disabled={forking !== null}
                        onClick={() => void fork(s)}
                      >
                        {forking === s.id ? null : <GitFork />} Fork
                      </Button>
                    ) : null}
                    {can('sandboxes:write') ? (
                      <SaveAsTemplateButton
                        path={`/api/v1/snapshots/${s.id}/template`}
                        what={`snapshot ${s.name ?? s.id}`}
                      />
                    ) : null}
                    {can('snapshots:delete') ? (
                      <Button
                        variant="ghost"
                        size="icon"
                        aria-label={`Delete snapshot ${s.name ?? s.id}`}
                        onClick={() => setDeleting(s)}
                      >
                        <Trash2 />
                      </Button>
                    ) : null}
                  </div>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
      {browsing ? <SnapshotBrowser snapshot={browsing} onClose={() => setBrowsing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title="Delete snapshot"
        description={`Deletes ${deleting?.name ?? deleting?.id}. Sandboxes forked from it must be deleted first.`}
        confirmLabel="Delete snapshot"
        onConfirm={async () => {
          if (!deleting) return;
          await api(`/api/v1/snapshots/${deleting.id}`, { method: 'DELETE', org: org.slug });
          if (browsing?.id === deleting.id) setBrowsing(null);
          toast.success('Snapshot deleted');
          await m.refresh();
        }}
      />
    </>
  );
}
