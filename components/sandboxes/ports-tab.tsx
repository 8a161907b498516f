'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ExternalLink, Globe, Lock, PanelTop, Plug } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Port, Sandbox } from '@/lib/client/sandbox-types';
import { ExposePortForm } from './expose-port-form';
import { PreviewFrame } from './preview-frame';

/** Exposed ports and their preview URLs; private ones open only with a console session. */
export function PortsTab({ sandbox }: { sandbox: Sandbox }) {
  const { org, can } = useOrg();
  const qc = useQueryClient();
  const key = ['ports', org.slug, sandbox.id];
  const ports = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<{ ports: Port[] }>(`/api/v1/sandboxes/${sandbox.id}/ports`, { org: org.slug, signal }),
  });
  const [framed, setFramed] = React.useState<Port | null>(null);
  const [busy, setBusy] = React.useState<number | null>(null);
  const writable = can('sandboxes:write');

  async function act(p: Port, fn: () => Promise<unknown>, done: string) {
    setBusy(p.port);
    try {
      await fn();
      toast.success(done);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
      await qc.invalidateQueries({ queryKey: key });
    }
  }
  const base = `/api/v1/sandboxes/${sandbox.id}/ports`;
  const list = ports.data?.ports ?? [];

  return (
    <div className="grid gap-4">
      <Card>
        <CardHeader
          title="Ports"
          description="A server listening inside the sandbox (on 0.0.0.0 or 127.0.0.1) is reachable at its preview URL once exposed."
        />
        {writable ? (
          <ExposePortForm sandboxId={sandbox.id} onExposed={() => qc.invalidateQueries({ queryKey: key })} />
        ) : null}
        <QueryStates query={ports} columns={4} rows={2} />
        {ports.data && list.length === 0 ? (
          <EmptyState
            icon={Plug}
            title="No ports exposed"
            description="Start a server in the terminal, then expose its port here."
          />
        ) : null}
        {list.length > 0 ? (
          <Table data-testid="ports-table">
            <THead>
              <TR>
                <TH>Port</TH>
                <TH>Preview URL</TH>
                <TH>Access</TH>
                <TH className="text-right">
                  <span className="sr-only">Actions</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {list.map((p) => (
                <TR key={p.port} data-testid={`port-${p.port}`}>
                  <TD className="font-mono">{p.port}</TD>
                  <TD className="max-w-72 truncate">
                    <a
                      href={p.url}
                      target="_blank"
                      rel="noreferrer"
                      className="font-mono text-xs text-indigo-700 hover:underline"
                    >
                      {p.url}
                    </a>
                  </TD>
                  <TD>
                    {p.public ? (
                      <Badge tone="warning">
                        <Globe className="mr-1 size-3" /> public
                      </Badge>
                    ) : (
                      <Badge>
                        <Lock className="mr-1 size-3" /> private
                      </Badge>
                    )}
                  </TD>
                  <TD>
                    <div className="flex justify-end gap-1">
                      <Button asChild variant="outline" size="sm">
                        <a
                          href={p.url}
                          target="_blank"
                          rel="noreferrer"
                          aria-label={`Open port ${p.port} in a new tab`}
                        >
                          <ExternalLink /> Open
                        </a>
                      </Button>
                      <Button variant="outline" size="sm" onClick={() => setFramed(framed?.port === p.port ? null : p)}>
                        <PanelTop /> {framed?.port === p.port ? 'Hide' : 'Preview'}
                      </Button>
                      <CopyButton value={p.url} label="Copy URL" />
                      {writable ? (
                        <>
                          <Button
                            variant="outline"
                            size="sm"
                            pending={busy === p.port}
                            onClick={() =>
                              act(
                                p,
                                () =>
                                  api(`${base}/${p.port}`, {
                                    method: 'PATCH',
                                    org: org.slug,
                                    body: { public: !p.public },
                                  }),
                                p.public ? 'Port is now private' : 'Port is now public',
                              )
                            }
                          >
                            {p.public ? 'Make private' : 'Make public'}
                          </Button>
                          <Button
                            variant="ghost"
                            size="sm"
                            disabled={busy === p.port}
                            onClick={() =>
                              act(
                                p,
                                () => api(`${base}/${p.port}`, { method: 'DELETE', org: org.slug }),
                                `Port ${p.port} unexposed`,
                              )
                            }
                          >
                            Unexpose
                          </Button>
                        </>
                      ) : null}
                    </div>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        ) : null}
      </Card>
      {framed ? <PreviewFrame port={framed} onClose={() => setFramed(null)} /> : null}
    </div>
  );
}
