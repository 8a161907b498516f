'use client';

import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';

/** Owners only. Deleting cascades to everything the org owns, so the slug must be typed. */
export function DeleteOrgCard() {
  const { org } = useOrg();
  const router = useRouter();
  const [open, setOpen] = React.useState(false);
  return (
    <Card className="border-red-200">
      <CardHeader
        className="border-b-0"
        title={<span className="text-red-700">Delete organization</span>}
        description="Deletes its members, invitations, API keys and audit log. This cannot be undone."
        actions={
          <Button variant="destructive" onClick={() => setOpen(true)}>
            Delete organization
          </Button>
        }
      />
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${org.name}?`}
        description="Everything this organization owns is deleted at once. API keys stop working."
        confirmLabel="Delete organization"
        typeToConfirm={org.slug}
        onConfirm={async (typed) => {
          await api('/api/v1/org', { method: 'DELETE', org: org.slug, body: { confirm: typed } });
          toast.success(`Deleted ${org.name}`);
          router.push('/');
          router.refresh();
        }}
      />
    </Card>
  );
}
