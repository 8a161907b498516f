'use client';

import { type UseMutationResult, useQueryClient } from '@tanstack/react-query';
import { UserMinus } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Select } from '@/components/ui/input';
import { canGrant } from '@/lib/auth/permissions';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { grantableRoles, ROLE_LABELS } from '@/lib/client/roles';
import type { Member } from '@/lib/client/types';

/**
 * A select where the viewer may change this member's role (they hold members:update and
 * outrank or equal the member), a plain badge otherwise. The server re-checks all of it,
 * including "the last owner cannot be demoted".
 */
export function RoleCell({
  member,
  self,
  mutation,
}: {
  member: Member;
  self: boolean;
  mutation: UseMutationResult<unknown, Error, string>;
}) {
  const { role, can } = useOrg();
  const editable = !self && can('members:update') && canGrant(role, member.role);
  if (!editable) return <Badge>{ROLE_LABELS[member.role]}</Badge>;
  return (
    <Select
      aria-label={`Role of ${member.email}`}
      value={mutation.isPending ? (mutation.variables ?? member.role) : member.role}
      disabled={mutation.isPending}
      onChange={(e) => mutation.mutate(e.target.value)}
      className="h-8 w-36"
    >
      {grantableRoles(role).map((r) => (
        <option key={r} value={r}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </Select>
  );
}

export function RemoveMemberButton({ member, self }: { member: Member; self: boolean }) {
  const { org, role, can } = useOrg();
  const queryClient = useQueryClient();
  const [open, setOpen] = React.useState(false);
  if (self || !can('members:remove') || !canGrant(role, member.role)) return null;

  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => setOpen(true)} aria-label={`Remove ${member.email}`}>
        <UserMinus /> Remove
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Remove member?"
        description={`${member.email} loses access to ${org.name} at once. API keys they created keep working until revoked.`}
        confirmLabel="Remove member"
        onConfirm={async () => {
          await api(`/api/v1/members/${member.userId}`, { method: 'DELETE', org: org.slug });
          toast.success(`Removed ${member.email}`);
          await queryClient.invalidateQueries({ queryKey: ['members', org.slug] });
        }}
      />
    </>
  );
}
