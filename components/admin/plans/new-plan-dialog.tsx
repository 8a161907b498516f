'use client';

import { useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTrigger } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import type { AdminPlan } from '@/lib/client/admin-types';
import { fromInput, PLAN_FIELDS } from '@/lib/client/plan-fields';
import { useApiForm } from '@/lib/client/use-api-form';

const ID_RE = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/;
const FIELDS = ['id', 'name', 'basedOn', 'org', 'priceMicros', 'monthlyCreditMicros'];

/**
 * A custom plan: an id, a name, the plan it copies (rates and quotas are edited after), an
 * optional org it is for (only that org can then be put on it), its price and monthly credit.
 */
export function NewPlanDialog({ plans }: { plans: AdminPlan[] }) {
  const [open, setOpen] = React.useState(false);
  const router = useRouter();
  const qc = useQueryClient();
  const form = useApiForm<{ plan: AdminPlan }>({
    fields: FIELDS,
    onSuccess: async (res) => {
      toast.success(`Plan ${res.plan.name} created`);
      setOpen(false);
      await qc.invalidateQueries({ queryKey: ['admin-plans'] });
      router.push(`/admin/plans/${res.plan.id}`);
    },
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
        <Button>
          <Plus /> New plan
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90vh] overflow-y-auto">
        <DialogHeader title="New plan" description="A custom plan, copied from another; edit its rates and quotas next. Only platform admins put orgs on custom plans." />
        <form
          noValidate
          className="grid gap-4"
          onSubmit={form.submit((data) => {
            const errors: Record<string, string> = {};
            const id = String(data.get('id') ?? '').trim();
            const name = String(data.get('name') ?? '').trim();
            const org = String(data.get('org') ?? '').trim().toLowerCase();
            if (!ID_RE.test(id)) errors.id = '2–40 lowercase letters, digits and hyphens, e.g. acme-2027';
            if (!name) errors.name = 'Enter a name';
            const money: Record<string, number> = {};
            for (const key of ['priceMicros', 'monthlyCreditMicros']) {
              const raw = String(data.get(key) ?? '');
              if (raw.trim() === '') continue; // copied from the base plan
              const r = fromInput(PLAN_FIELDS.find((f) => f.key === key)!, raw);
              if ('error' in r) errors[key] = r.error;
              else money[key] = r.value;
            }
            if (Object.keys(errors).length) return { errors };
            return { path: '/api/admin/plans', method: 'POST', body: { id, name, basedOn: String(data.get('basedOn')), ...(org ? { org } : {}), ...money } };
          })}
        >
          <FormError message={form.formError} />
          <div className="grid items-start gap-4 sm:grid-cols-2">
            <Field label="Plan id" error={e.id} hint="In URLs and the API; cannot change later.">
              <Input name="id" autoFocus maxLength={40} placeholder="acme-2027" />
            </Field>
            <Field label="Name" error={e.name}>
              <Input name="name" maxLength={60} placeholder="Acme enterprise" />
            </Field>
            <Field label="Copy rates and quotas from" error={e.basedOn}>
              <Select name="basedOn" defaultValue="free">
                {plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({p.id})
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Only for organization (optional)" error={e.org} hint="Its URL name or id; blank: any org.">
              <Input name="org" maxLength={64} placeholder="acme" />
            </Field>
            <Field label="Price per month ($)" error={e.priceMicros} hint="Blank: the copied plan's.">
              <Input name="priceMicros" inputMode="decimal" />
            </Field>
            <Field label="Monthly credit ($)" error={e.monthlyCreditMicros} hint="Blank: the copied plan's.">
              <Input name="monthlyCreditMicros" inputMode="decimal" />
            </Field>
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={form.pending}>
              Cancel
            </Button>
            <Button type="submit" pending={form.pending}>
              Create plan
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
