'use client';

import { useQueryClient } from '@tanstack/react-query';
import { LayoutTemplate } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTrigger } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useOrg } from '@/lib/client/org-context';
import type { Template } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';

/**
 * "Save as template" for a snapshot (`/api/v1/snapshots/:id/template`) or a sandbox
 * (`/api/v1/sandboxes/:id/template`, which snapshots it first): new sandboxes start on its files.
 */
export function SaveAsTemplateButton({ path, what }: { path: string; what: string }) {
  const { org } = useOrg();
  const qc = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const form = useApiForm<{ template: Template }>({
    fields: ['name', 'description', 'readyCommand'],
    onSuccess: async (res) => {
      setOpen(false);
      toast.success(
        <span>
          Template {res.template.name} saved.{' '}
          <Link className="underline" href={`/${org.slug}/templates`}>
            Open Templates
          </Link>
        </span>,
      );
      await qc.invalidateQueries({ queryKey: ['templates', org.slug] });
    },
  });
  const onSubmit = form.submit((data) => {
    const name = String(data.get('name') ?? '').trim();
    if (!name) return { errors: { name: 'Give the template a name' } };
    const description = String(data.get('description') ?? '').trim();
    const readyCommand = String(data.get('readyCommand') ?? '').trim();
    return {
      path,
      method: 'POST',
      org: org.slug,
      body: { name, ...(description ? { description } : {}), ...(readyCommand ? { readyCommand } : {}) },
    };
  });
  const e = form.fieldErrors;
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (form.pending) return;
        form.reset();
        setOpen(next);
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" aria-label={`Save ${what} as a template`}>
          <LayoutTemplate /> Save as template
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogHeader
          title={`Save ${what} as a template`}
          description="New sandboxes made from the template start with these files. The template keeps its snapshot (it counts as snapshot storage)."
        />
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormError message={form.formError} />
          <Field label="Template name" error={e.name} hint="Lowercase letters, digits, . _ and -.">
            <Input name="name" placeholder="my-environment" autoComplete="off" />
          </Field>
          <Field label="Description" error={e.description}>
            <Input name="description" autoComplete="off" />
          </Field>
          <Field
            label="Ready command (optional)"
            error={e.readyCommand}
            hint="Must succeed in a new sandbox before its create answers."
          >
            <Input name="readyCommand" autoComplete="off" spellCheck={false} className="font-mono" />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={form.pending}>
              Cancel
            </Button>
            <Button type="submit" pending={form.pending}>
              Save template
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
