'use client';

import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';

/** Leaving is open to every role; the server refuses the last owner with a message shown here. */
export function LeaveOrgCard() {
  const { org, user } = useOrg();
  const router = useRouter();
  const [open, setOpen] = React.useState(false);
  return (
    <Card>
      <CardHeader
        className="border-b-0"
        title="Leave organization"
        description="You lose access to its sandboxes and settings. Someone must invite you again to come back."
        actions={
          <Button variant="outline" onClick={() => setOpen(true)}>
            Leave
          </Button>
        }
      />
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Leave ${org.name}?`}
        description="You will lose access at once."
        confirmLabel="Leave organization"
        onConfirm={async () => {
          await api(`/api/v1/members/${user.id}`, { method: 'DELETE', org: org.slug });
          toast.success(`You left ${org.name}`);
          router.push('/');
          router.refresh();
        }}
      />
    </Card>
  );
}
