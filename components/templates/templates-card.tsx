'use client';

import { useQuery } from '@tanstack/react-query';
import { LayoutTemplate } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { TableSkeleton } from '@/components/ui/spinner';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Template } from '@/lib/client/sandbox-types';

export function TemplatesCard() {
  const { org } = useOrg();
  const list = useQuery({
    queryKey: ['templates', org.slug],
    queryFn: ({ signal }) => api<{ templates: Template[] }>('/api/v1/templates', { org: org.slug, signal }),
  });
  const rows = list.data?.templates ?? [];
  return (
    <Card>
      <CardHeader
        title="Templates"
        description="What a new sandbox starts from. Pass the id as `template` when creating one."
      />
      {list.isPending ? <TableSkeleton columns={3} rows={1} /> : null}
      {list.isError ? (
        <div className="p-4">
          <FormError message={errorMessage(list.error)} />
        </div>
      ) : null}
      {list.data && rows.length === 0 ? <EmptyState icon={LayoutTemplate} title="No templates" /> : null}
      {rows.length > 0 ? (
        <Table data-testid="templates-table">
          <THead>
            <TR>
              <TH>Template</TH>
              <TH>Id</TH>
              <TH>Contents</TH>
            </TR>
          </THead>
          <TBody>
            {rows.map((t) => (
              <TR key={t.id}>
                <TD className="font-medium text-zinc-900">
                  {t.name} {t.default ? <Badge tone="accent">default</Badge> : null}
                </TD>
                <TD className="font-mono text-xs">{t.id}</TD>
                <TD className="text-zinc-600">{t.description}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      ) : null}
    </Card>
  );
}
