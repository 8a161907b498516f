import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { TenantDetail } from '@/lib/client/admin-types';
import { formatDateTime } from '@/lib/client/format';

/** The org's members; an account's own page (disable, admin flag) is under Users. */
export function MembersCard({ members }: { members: TenantDetail['members'] }) {
  return (
    <Card data-testid="tenant-members">
      <CardHeader title="Members" description={`${members.length} ${members.length === 1 ? 'person' : 'people'}. Disable an account or change the admin flag under Users.`} />
      {members.length === 0 ? (
        <EmptyState title="No members" description="Every member left; the org stays until deleted." />
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Person</TH>
              <TH>Role</TH>
              <TH className="max-sm:hidden">Joined</TH>
            </TR>
          </THead>
          <TBody>
            {members.map((m) => (
              <TR key={m.userId}>
                <TD className="min-w-48">
                  <Link href={`/admin/users?q=${encodeURIComponent(m.email)}`} className="font-medium text-zinc-900 hover:underline">
                    {m.email}
                  </Link>
                  <div className="flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
                    {m.name ?? ''}
                    {m.disabledAt ? <Badge tone="danger">disabled</Badge> : null}
                    {m.isPlatformAdmin ? <Badge tone="accent">platform admin</Badge> : null}
                  </div>
                </TD>
                <TD>
                  <Badge>{m.role}</Badge>
                </TD>
                <TD className="whitespace-nowrap text-zinc-500 max-sm:hidden">{formatDateTime(m.joinedAt)}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
