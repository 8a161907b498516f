'use client';

import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useOrg } from '@/lib/client/org-context';
import type { Port } from '@/lib/client/sandbox-types';
import { useApiForm } from '@/lib/client/use-api-form';

export function ExposePortForm({ sandboxId, onExposed }: { sandboxId: string; onExposed: () => void }) {
  const { org } = useOrg();
  const [isPublic, setPublic] = React.useState(false);
  const formRef = React.useRef<HTMLFormElement>(null);
  const form = useApiForm<Port>({
    fields: ['port'],
    onSuccess: (p) => {
      toast.success(`Port ${p.port} exposed`);
      formRef.current?.reset();
      setPublic(false);
      onExposed();
    },
  });
  const onSubmit = form.submit((data) => {
    const raw = String(data.get('port') ?? '').trim();
    const port = Number(raw);
    if (!raw || !Number.isInteger(port) || port < 1 || port > 65535)
      return { errors: { port: 'Enter a port from 1 to 65535' } };
    return {
      path: `/api/v1/sandboxes/${sandboxId}/ports`,
      method: 'POST',
      org: org.slug,
      body: { port, public: isPublic },
    };
  });
  return (
    <form ref={formRef} onSubmit={onSubmit} className="grid gap-2 border-b border-zinc-200 px-5 py-4" noValidate>
      <FormError message={form.formError} />
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Port" error={form.fieldErrors.port} className="w-36">
          <Input name="port" inputMode="numeric" placeholder="8000" />
        </Field>
        <label className="flex h-9 items-center gap-2 text-sm text-zinc-700">
          <input
            type="checkbox"
            checked={isPublic}
            onChange={(e) => setPublic(e.target.checked)}
            className="size-4 accent-indigo-600"
          />
          Public (anyone with the URL)
        </label>
        <Button type="submit" pending={form.pending}>
          Expose port
        </Button>
      </div>
    </form>
  );
}
