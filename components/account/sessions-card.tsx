'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FormError } from '@/components/ui/field';
import { Skeleton } from '@/components/ui/spinner';
import * as React from 'react';
import { api, errorMessage } from '@/lib/client/api';
import { describeUserAgent } from '@/lib/client/user-agent';

type Session = { id: string; userAgent: string | null; ip: string | null; createdAt: string; lastSeenAt: string; current: boolean };

/** Every browser signed in as you; end one, or all but this one. */
export function SessionsCard() {
  const queryClient = useQueryClient();
  const [confirmAll, setConfirmAll] = React.useState(false);
  const { data, isPending, error } = useQuery({
    queryKey: ['account-sessions'],
    queryFn: () => api<{ sessions: Session[] }>('/api/account/sessions'),
  });
  const end = useMutation({
    mutationFn: (id: string) => api(`/api/account/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      toast.success('Session signed out');
      return queryClient.invalidateQueries({ queryKey: ['account-sessions'] });
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  const others = data?.sessions.filter((s) => !s.current).length ?? 0;
  return (
    <Card>
      <CardHeader
        title="Sessions"
        description="Browsers signed in as you. Signing one out takes effect at its next request."
        actions={
          <Button variant="outline" disabled={others === 0} onClick={() => setConfirmAll(true)}>
            Sign out elsewhere
          </Button>
        }
      />
      <CardBody className="grid gap-3">
        {error ? <FormError message={errorMessage(error)} /> : null}
        {isPending ? <Skeleton className="h-12" /> : null}
        <ul className="divide-y divide-zinc-100" aria-label="Signed-in sessions">
          {data?.sessions.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 py-3" data-testid="session-row">
              <div className="grid gap-0.5 text-sm">
                <span className="font-medium text-zinc-900">
                  {describeUserAgent(s.userAgent)} {s.current ? <Badge tone="accent">This browser</Badge> : null}
                </span>
                <span className="text-xs text-zinc-600">
                  {s.ip ? `${s.ip} · ` : ''}signed in {new Date(s.createdAt).toLocaleString()} · last active {new Date(s.lastSeenAt).toLocaleString()}
                </span>
              </div>
              {s.current ? null : (
                <Button variant="outline" size="sm" pending={end.isPending && end.variables === s.id} onClick={() => end.mutate(s.id)}>
                  Sign out
                </Button>
              )}
            </li>
          ))}
        </ul>
      </CardBody>
      <ConfirmDialog
        open={confirmAll}
        onOpenChange={setConfirmAll}
        title={`Sign out ${others} other session${others === 1 ? '' : 's'}?`}
        description="Every browser but this one will have to sign in again."
        confirmLabel="Sign out elsewhere"
        onConfirm={async () => {
          const { ended } = await api<{ ended: number }>('/api/account/sessions', { method: 'DELETE' });
          toast.success(`${ended} session${ended === 1 ? '' : 's'} signed out`);
          await queryClient.invalidateQueries({ queryKey: ['account-sessions'] });
        }}
      />
    </Card>
  );
}
