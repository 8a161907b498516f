'use client';

import { Clock, Copy as ForkIcon, MoreHorizontal, Pause, Play, Square, Trash2 } from 'lucide-react';
import { useRouter } from 'next/navigation';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { ExtendTimeoutDialog } from './extend-timeout-dialog';
import { validActions } from './state-badge';
import { type Lifecycle, useSandboxMutations } from './use-sandbox-mutations';

const ICONS: Record<Lifecycle, typeof Play> = { start: Play, resume: Play, pause: Pause, stop: Square };
const LABELS: Record<Lifecycle, string> = { start: 'Start', resume: 'Resume', pause: 'Pause', stop: 'Stop' };

/**
 * The row/page action menu. Viewers see nothing to act on; developers get lifecycle, extend and
 * fork; developers and up (sandboxes:delete) get delete. Only the transitions valid for the state show.
 */
export function SandboxActions({ sandbox, onDeleted }: { sandbox: Sandbox; onDeleted?: () => void }) {
  const { org, can } = useOrg();
  const router = useRouter();
  const m = useSandboxMutations();
  const [extending, setExtending] = React.useState(false);
  const [deleting, setDeleting] = React.useState(false);
  const canWrite = can('sandboxes:write');
  const canDelete = can('sandboxes:delete');
  if (!canWrite && !canDelete) return null;
  const actions = validActions(sandbox.state);
  const alive = sandbox.state === 'running' || sandbox.state === 'paused';

  async function fork() {
    const created = await m.fork(sandbox);
    if (created) router.push(`/${org.slug}/sandboxes/${created.id}`);
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label={`Actions for ${sandbox.id}`} pending={m.busy !== null}>
            {m.busy ? null : <MoreHorizontal />}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          {canWrite
            ? actions.map((a) => {
                const Icon = ICONS[a];
                return (
                  <DropdownMenuItem key={a} onSelect={() => void m.lifecycle(sandbox.id, a)}>
                    <Icon /> {LABELS[a]}
                  </DropdownMenuItem>
                );
              })
            : null}
          {canWrite && alive ? (
            <DropdownMenuItem onSelect={() => setExtending(true)}>
              <Clock /> Extend timeout
            </DropdownMenuItem>
          ) : null}
          {canWrite && sandbox.state !== 'creating' && sandbox.state !== 'error' ? (
            <DropdownMenuItem onSelect={() => void fork()}>
              <ForkIcon /> Fork
            </DropdownMenuItem>
          ) : null}
          {canDelete ? (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={() => setDeleting(true)} className="text-red-700">
                <Trash2 /> Delete
              </DropdownMenuItem>
            </>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
      <ExtendTimeoutDialog sandbox={sandbox} open={extending} onOpenChange={setExtending} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title="Delete sandbox"
        description={
          <>
            Deletes <code className="font-mono">{sandbox.id}</code>, its processes and its files. Snapshots taken from
            it are kept.
          </>
        }
        confirmLabel="Delete sandbox"
        onConfirm={async () => {
          await m.remove(sandbox.id);
          onDeleted?.();
        }}
      />
    </>
  );
}
