'use client';

import { useQuery } from '@tanstack/react-query';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/spinner';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Member } from '@/lib/client/types';

/**
 * Who can raise a limit: members ask the org's owners and admins; they in turn ask the platform
 * admin, who sets the plan and per-organization overrides (there is no self-service upgrade yet).
 */
export function RaiseLimits({ planName }: { planName: string }) {
  const { org, role, can } = useOrg();
  const members = useQuery({
    queryKey: ['members', org.slug],
    queryFn: ({ signal }) => api<{ members: Member[] }>('/api/v1/members', { org: org.slug, signal }),
    enabled: can('members:read'),
  });
  const managers = (members.data?.members ?? []).filter((m) => m.role === 'owner' || m.role === 'admin');
  const isManager = role === 'owner' || role === 'admin';
  return (
    <Card data-testid="raise-limits">
      <CardHeader title="Need more?" />
      <CardBody className="grid gap-2 text-sm text-zinc-600">
        {isManager ? (
          <p>
            Limits come from the {planName} plan. Ask your platform admin to move this organization to a larger plan or to
            raise a limit for it.
          </p>
        ) : (
          <>
            <p>Ask an owner or admin of this organization; they can ask the platform admin for a larger plan or a higher limit.</p>
            {members.isPending && can('members:read') ? <Skeleton className="h-4 w-48" /> : null}
            {managers.length ? (
              <ul className="grid gap-1">
                {managers.map((m) => (
                  <li key={m.userId}>
                    <a className="font-medium text-indigo-700 hover:underline" href={`mailto:${m.email}`}>
                      {m.name ?? m.email}
                    </a>{' '}
                    <span className="text-zinc-400">({m.role})</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </CardBody>
    </Card>
  );
}
