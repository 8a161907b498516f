'use client';

import { useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { sandboxKeys } from './use-sandbox-mutations';

type Bulk = 'stop' | 'delete';
const plural = (n: number) => `${n} sandbox${n === 1 ? '' : 'es'}`;

/** Runs `fn` over `items`, four at a time: a hundred stops do not queue a hundred requests at once. */
async function eachLimited<T>(items: T[], fn: (t: T) => Promise<void>): Promise<Array<{ item: T; error: unknown }>> {
  const failures: Array<{ item: T; error: unknown }> = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item).catch((error) => failures.push({ item, error }));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return failures;
}

/** The bar over the table when rows are selected: stop or delete them all, after a confirmation naming the count. */
export function BulkActions({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const { org, can } = useOrg();
  const queryClient = useQueryClient();
  const [pending, setPending] = React.useState<Bulk | null>(null);
  if (selected.length === 0) return null;

  async function run(kind: Bulk) {
    const failures = await eachLimited(selected, (id) =>
      api(kind === 'stop' ? `/api/v1/sandboxes/${id}/stop` : `/api/v1/sandboxes/${id}`, { method: kind === 'stop' ? 'POST' : 'DELETE', org: org.slug }).then(() => undefined),
    );
    await queryClient.invalidateQueries({ queryKey: sandboxKeys.all(org.slug) });
    const done = selected.length - failures.length;
    if (done) toast.success(`${kind === 'stop' ? 'Stopped' : 'Deleted'} ${plural(done)}`);
    if (failures.length) toast.error(`${plural(failures.length)} could not be ${kind === 'stop' ? 'stopped' : 'deleted'}: ${errorMessage(failures[0]!.error)}`);
    onDone();
  }

  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-indigo-50/60 px-4 py-2 text-sm" data-testid="bulk-bar">
      <span className="font-medium text-zinc-900">{plural(selected.length)} selected</span>
      {can('sandboxes:write') ? (
        <Button size="sm" variant="outline" onClick={() => setPending('stop')}>
          Stop
        </Button>
      ) : null}
      {can('sandboxes:delete') ? (
        <Button size="sm" variant="outline" className="text-red-700" onClick={() => setPending('delete')}>
          Delete
        </Button>
      ) : null}
      <Button size="sm" variant="ghost" onClick={onDone}>
        Clear selection
      </Button>
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(o) => !o && setPending(null)}
        title={pending === 'delete' ? `Delete ${plural(selected.length)}?` : `Stop ${plural(selected.length)}?`}
        description={
          pending === 'delete'
            ? 'Their processes end and their files are deleted. This cannot be undone.'
            : 'Their processes end; their files are kept and they can be started again.'
        }
        confirmLabel={pending === 'delete' ? `Delete ${plural(selected.length)}` : `Stop ${plural(selected.length)}`}
        destructive={pending === 'delete'}
        onConfirm={async () => {
          const kind = pending!;
          await run(kind);
          setPending(null);
        }}
      />
    </div>
  );
}
