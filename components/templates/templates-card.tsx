'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { LayoutTemplate } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CopyButton } from '@/components/ui/copy-button';
import { EmptyState } from '@/components/ui/empty-state';
import { pageSlice } from '@/components/ui/pagination';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import { formatDateTime, formatRelative } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { formatBytes } from '@/lib/client/sandbox-format';
import type { Template } from '@/lib/client/sandbox-types';
import { BuildStatus, BuildsDialog } from './builds-dialog';
import { sourceLabel } from './source-label';
import { CreateRecipeButton } from './recipe-dialog';
import { CreateTemplateButton } from './template-dialog';

const PAGE = 20;

function Status({ t }: { t: Template }) {
  const tone = t.status === 'ready' ? 'success' : t.status === 'failed' ? 'danger' : 'warning';
  return <Badge tone={tone}>{t.status}</Badge>;
}

/** The org's templates (and the platform's): source, size, last build, status, who uses them. */
export function TemplatesCard() {
  const { org, can, user } = useOrg();
  const [publishing, setPublishing] = React.useState<Template | null>(null);
  const qc = useQueryClient();
  const [page, setPage] = React.useState(1);
  const [logs, setLogs] = React.useState<{ id: string; buildId?: string } | null>(null);
  const [deleting, setDeleting] = React.useState<Template | null>(null);
  const list = useQuery({
    queryKey: ['templates', org.slug],
    queryFn: ({ signal }) => api<{ templates: Template[] }>('/api/v1/templates', { org: org.slug, signal }),
    // A build in progress changes status, size and last build: keep the table current.
    refetchInterval: (q) => (q.state.data?.templates.some((t) => t.status === 'building') ? 2000 : false),
  });
  const all = list.data?.templates ?? [];
  const platform = all.filter((t) => t.builtin || t.public);
  const own = all.filter((t) => !t.builtin && !t.public);
  const { rows, pages } = pageSlice(own, page, PAGE);
  const write = can('sandboxes:write');
  const open = all.find((t) => t.id === logs?.id);
  async function setDefault(t: Template) {
    try {
      await api('/api/v1/org/default-template', {
        method: 'PUT',
        org: org.slug,
        body: { template: t.builtin ? 'host' : t.id },
      });
      toast.success(`${t.name} is now the default template`);
      await qc.invalidateQueries({ queryKey: ['templates', org.slug] });
    } catch (err) {
      toast.error(errorMessage(err));
    }
  }
  return (
    <Card>
      <CardHeader
        title="Templates"
        description="What a new sandbox starts from. Pass the id or name as `template` when creating one."
        actions={
          write ? (
            <div className="flex flex-wrap gap-2">
              <CreateRecipeButton onCreated={(id, buildId) => setLogs({ id, buildId })} />
              <CreateTemplateButton onCreated={(id, buildId) => setLogs({ id, buildId })} />
            </div>
          ) : undefined
        }
      />
      <QueryStates query={list} columns={7} rows={2} />
      {list.data && own.length === 0 ? (
        <EmptyState
          icon={LayoutTemplate}
          title="Your org has no templates of its own yet"
          description={
            write
              ? 'Create a template from any OCI image (Docker Hub, GHCR, your own registry), or save a sandbox’s snapshot as one, to give sandboxes your own environment.'
              : 'A developer of this organization can create one from an image.'
          }
        />
      ) : null}
      {list.data ? (
        <>
          <TemplatesTable
            title="Platform"
            hint="Built in, or published by the platform's admins to every organization (read-only). A create that names no template gets the one marked default."
            rows={platform}
            onBuilds={(t) => setLogs({ id: t.id })}
            onDelete={setDeleting}
            onDefault={setDefault}
          />
          {own.length > 0 ? (
            <TemplatesTable
              title="Your org"
              rows={rows}
              onBuilds={(t) => setLogs({ id: t.id })}
              onDelete={setDeleting}
              onDefault={setDefault}
              onPublish={user.isPlatformAdmin ? setPublishing : undefined}
            />
          ) : null}
        </>
      ) : null}
      {pages > 1 ? (
        <div className="flex items-center justify-end gap-2 p-3 text-sm text-zinc-600">
          <Button variant="outline" size="sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </Button>
          <span>
            Page {page} of {pages}
          </span>
          <Button variant="outline" size="sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next
          </Button>
        </div>
      ) : null}
      {open ? (
        <BuildsDialog key={open.id} template={open} initialBuildId={logs?.buildId} onClose={() => setLogs(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete ${deleting?.name ?? 'template'}?`}
        description={
          deleting && (deleting.usedBy.sandboxes || deleting.usedBy.shares)
            ? `It is in use by ${deleting.usedBy.sandboxes} sandbox(es) and ${deleting.usedBy.shares} demo link(s): delete those first.`
            : 'New sandboxes can no longer start from it. Its builds are kept in the audit trail.'
        }
        confirmLabel="Delete template"
        onConfirm={async () => {
          if (!deleting) return;
          await api(`/api/v1/templates/${deleting.id}`, { method: 'DELETE', org: org.slug });
          toast.success(`Deleted ${deleting.name}`);
          await qc.invalidateQueries({ queryKey: ['templates', org.slug] });
        }}
      />
      <ConfirmDialog
        open={publishing !== null}
        onOpenChange={(o) => !o && setPublishing(null)}
        title={`Publish ${publishing?.name ?? 'template'} to every organization?`}
        description="It becomes a platform template: every organization lists it under Platform and can start sandboxes from it; no organization, this one included, can change or delete it afterwards."
        confirmLabel="Publish"
        onConfirm={async () => {
          if (!publishing) return;
          await api(`/api/admin/templates/${publishing.id}/publish`, { method: 'POST' });
          toast.success(`${publishing.name} is now a platform template`);
          await qc.invalidateQueries({ queryKey: ['templates', org.slug] });
        }}
      />
    </Card>
  );
}


type RowActions = {
  onBuilds: (t: Template) => void;
  onDelete: (t: Template) => void;
  onDefault: (t: Template) => void;
  /** Platform admins only: publish an org template to every org. */
  onPublish?: (t: Template) => void;
};

/** One section of the Templates card: the platform's templates, or the org's own. */
function TemplatesTable({
  title,
  hint,
  rows,
  onBuilds,
  onDelete,
  onDefault,
  onPublish,
}: { title: string; hint?: string; rows: Template[] } & RowActions) {
  const { can } = useOrg();
  return (
    <section aria-label={title}>
      <div className="border-t border-zinc-200 px-5 pt-4 pb-2">
        <h3 className="text-sm font-semibold text-zinc-900">{title}</h3>
        {hint ? <p className="text-xs text-zinc-500">{hint}</p> : null}
      </div>
      <div className="relative overflow-x-auto">
        <Table data-testid={`templates-table-${title === 'Platform' ? 'platform' : 'org'}`}>
          <THead>
            <TR>
              <TH>Template</TH>
              <TH>Source</TH>
              <TH>Size</TH>
              <TH>Last build</TH>
              <TH>Status</TH>
              <TH>Used by</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((t) => (
              <TR key={t.id} data-testid={`template-${t.name}`}>
                <TD>
                  <div className="flex flex-wrap items-center gap-1 font-medium text-zinc-900">
                    {t.name} {t.default ? <Badge tone="accent">default</Badge> : null}{' '}
                    {t.public && !t.builtin ? <Badge>platform</Badge> : null}
                    {t.public && t.source.type === 'debian' ? <Badge title='template: "base" names it'>alias base</Badge> : null}
                    {t.isolation ? <Badge title="Its sandboxes' isolation when a create names none">{t.isolation === 'gvisor' ? 'gVisor' : 'container'}</Badge> : null}
                  </div>
                  <div className="flex items-center gap-1 font-mono text-xs text-zinc-500">
                    {t.id} <CopyButton value={t.id} label={`Copy the id of ${t.name}`} />
                  </div>
                  {t.description ? (
                    <div className="max-w-72 truncate text-xs text-zinc-500" title={t.description}>
                      {t.description}
                    </div>
                  ) : null}
                </TD>
                <TD className="max-w-64 truncate font-mono text-xs text-zinc-600" title={sourceLabel(t.source)}>
                  {sourceLabel(t.source)}
                  {t.registryAuth ? (
                    <div className="font-sans text-zinc-500">
                      as {t.registryAuth.username} ({t.registryAuth.passwordSecret})
                    </div>
                  ) : null}
                </TD>
                <TD className="whitespace-nowrap text-zinc-600">
                  {t.sizeBytes !== null ? formatBytes(t.sizeBytes) : '—'}
                </TD>
                <TD className="whitespace-nowrap text-zinc-600">
                  {t.lastBuild ? (
                    <span className="flex items-center gap-1" title={formatDateTime(t.lastBuild.createdAt)}>
                      v{t.lastBuild.version} <BuildStatus status={t.lastBuild.status} />{' '}
                      {formatRelative(t.lastBuild.createdAt)}
                    </span>
                  ) : (
                    '—'
                  )}
                </TD>
                <TD>
                  <Status t={t} />
                </TD>
                <TD className="whitespace-nowrap text-zinc-600">
                  {t.usedBy.sandboxes} sandbox{t.usedBy.sandboxes === 1 ? '' : 'es'}
                  {t.usedBy.shares ? `, ${t.usedBy.shares} demo link${t.usedBy.shares === 1 ? '' : 's'}` : ''}
                </TD>
                <TD className="whitespace-nowrap text-right">
                  {!t.default && t.status === 'ready' && can('org:update') ? (
                    <Button
                      variant="ghost"
                      size="sm"
                      onClick={() => onDefault(t)}
                      aria-label={`Make ${t.name} the default`}
                    >
                      Make default
                    </Button>
                  ) : null}
                  {!t.builtin ? (
                    <Button variant="ghost" size="sm" onClick={() => onBuilds(t)} aria-label={`Builds of ${t.name}`}>
                      Builds
                    </Button>
                  ) : null}
                  {onPublish && !t.public && t.status === 'ready' && !t.registryAuth ? (
                    <Button variant="ghost" size="sm" onClick={() => onPublish(t)} aria-label={`Publish ${t.name} to every organization`}>
                      Publish
                    </Button>
                  ) : null}
                  {!t.builtin && !t.public && can('sandboxes:delete') ? (
                    <Button variant="ghost" size="sm" onClick={() => onDelete(t)} aria-label={`Delete ${t.name}`}>
                      Delete
                    </Button>
                  ) : null}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </div>
    </section>
  );
}
