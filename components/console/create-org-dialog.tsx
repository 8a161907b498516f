'use client';

import { Plus } from 'lucide-react';
import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useApiForm } from '@/lib/client/use-api-form';

type Created = { org: { slug: string; name: string } };

/** Creates an org (the caller becomes its owner) and moves the console into it. */
export function CreateOrgDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const router = useRouter();
  const form = useApiForm<Created>({
    fields: ['name', 'slug'],
    onSuccess: ({ org }) => {
      toast.success(`Created ${org.name}`);
      onOpenChange(false);
      router.push(`/${org.slug}`);
      router.refresh();
    },
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        form.reset();
        onOpenChange(o);
      }}
    >
      <DialogContent>
        <DialogHeader
          title="Create organization"
          description="Organizations own sandboxes, API keys and billing. You will be its owner."
        />
        <form
          className="grid gap-4"
          noValidate
          onSubmit={form.submit((data) => {
            const name = String(data.get('name') ?? '').trim();
            const slug = String(data.get('slug') ?? '').trim();
            return { path: '/api/orgs', method: 'POST', body: { name, ...(slug ? { slug } : {}) } };
          })}
        >
          <FormError message={form.formError} />
          <Field label="Name" error={form.fieldErrors.name}>
            <Input name="name" required maxLength={100} autoFocus placeholder="Acme Research" />
          </Field>
          <Field
            label="URL name"
            error={form.fieldErrors.slug}
            hint="Optional. Lowercase letters, digits and hyphens; derived from the name when empty."
          >
            <Input name="slug" maxLength={40} placeholder="acme-research" />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" pending={form.pending}>
              Create organization
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function CreateOrgButton() {
  const [open, setOpen] = React.useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <Plus /> Create organization
      </Button>
      <CreateOrgDialog open={open} onOpenChange={setOpen} />
    </>
  );
}
