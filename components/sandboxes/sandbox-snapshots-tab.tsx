'use client';

import { useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { SnapshotsTable } from '@/components/snapshots/snapshots-table';
import { SaveAsTemplateButton } from '@/components/templates/save-as-template';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox, Snapshot } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';
import { sandboxKeys } from './use-sandbox-mutations';

export function SandboxSnapshotsTab({ sandbox }: { sandbox: Sandbox }) {
  const { org, can } = useOrg();
  const qc = useQueryClient();
  const formRef = React.useRef<HTMLFormElement>(null);
  const form = useApiForm<Snapshot>({
    fields: ['name'],
    onSuccess: async (s) => {
      toast.success(`Snapshot ${s.name ?? s.id} taken`);
      formRef.current?.reset();
      await qc.invalidateQueries({ queryKey: sandboxKeys.snapshots(org.slug) });
    },
  });
  const onSubmit = form.submit((data) => {
    const name = String(data.get('name') ?? '').trim();
    return {
      path: `/api/v1/sandboxes/${sandbox.id}/snapshots`,
      method: 'POST',
      org: org.slug,
      body: name ? { name } : {},
    };
  });
  const canSnap =
    can('sandboxes:write') &&
    (sandbox.state === 'running' || sandbox.state === 'paused' || sandbox.state === 'stopped');

  return (
    <Card>
      <CardHeader
        title="Snapshots"
        description="A snapshot freezes this sandbox's files (not its memory); fork it into new sandboxes instantly."
        actions={
          canSnap ? (
            <SaveAsTemplateButton path={`/api/v1/sandboxes/${sandbox.id}/template`} what="this sandbox" />
          ) : undefined
        }
      />
      {canSnap ? (
        <form ref={formRef} onSubmit={onSubmit} className="grid gap-2 border-b border-zinc-200 px-5 py-4">
          <FormError message={form.formError} />
          <div className="flex flex-wrap items-end gap-3">
            <Field label="Snapshot name" error={form.fieldErrors.name} className="w-72">
              <Input name="name" placeholder="before-migration" autoComplete="off" />
            </Field>
            <Button type="submit" pending={form.pending}>
              Take snapshot
            </Button>
          </div>
        </form>
      ) : null}
      <SnapshotsTable
        sandbox={sandbox}
        emptyHint="Take a snapshot to save this sandbox's files and fork from them later."
      />
    </Card>
  );
}
