'use client';

import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardFooter, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input, Select } from '@/components/ui/input';
import type { AdminPlan } from '@/lib/client/admin-types';
import { fromInput, PLAN_FIELDS, type PlanField, planValue, toInput } from '@/lib/client/plan-fields';
import { useApiForm } from '@/lib/client/use-api-form';

const GROUPS = [
  { id: 'price', title: 'Price and credit', description: 'Dollars, exact to the micro-dollar.' },
  { id: 'rates', title: 'Rates', description: 'Per hour. A change reprices every org on this plan from now on; time before it keeps the old rates.' },
  { id: 'quotas', title: 'Quotas', description: 'Orgs with an override keep theirs. Limits apply at the next create, start or request.' },
] as const;

/**
 * Edits a plan: every field in its unit, checked here with the API's bounds; only what changed is
 * sent (PATCH), and the API's own field errors show beside the inputs.
 */
export type EditablePlan = Pick<AdminPlan, 'id' | 'name' | 'updatedAt' | 'priceMicros' | 'monthlyCreditMicros' | 'rates' | 'limits' | 'requiredIsolation'>;

export function PlanEditor({ plan }: { plan: EditablePlan }) {
  const qc = useQueryClient();
  const form = useApiForm<{ plan: AdminPlan }>({
    fields: ['name', 'requiredIsolation', ...PLAN_FIELDS.map((f) => f.key)],
    onSuccess: async (res) => {
      toast.success(`${res.plan.name} saved`);
      qc.setQueryData(['admin-plan', plan.id], res);
      await qc.invalidateQueries({ queryKey: ['admin-plans'] });
    },
  });
  const e = form.fieldErrors;
  const input = (f: PlanField) => (
    <Field key={`${f.key}-${plan.updatedAt}`} label={f.label} error={e[f.key]} hint={f.hint}>
      <Input name={f.key} defaultValue={toInput(f.kind, planValue(plan, f.key))} inputMode={f.kind === 'money' || f.kind === 'vcpu' ? 'decimal' : 'numeric'} />
    </Field>
  );

  return (
    <form
      noValidate
      data-testid="plan-editor"
      className="grid grid-cols-1 gap-6"
      onSubmit={form.submit((data) => {
        const errors: Record<string, string> = {};
        const patch: Record<string, unknown> = {};
        const name = String(data.get('name') ?? '').trim();
        if (!name) errors.name = 'Enter a name';
        else if (name !== plan.name) patch.name = name;
        for (const f of PLAN_FIELDS) {
          const r = fromInput(f, String(data.get(f.key) ?? ''));
          if ('error' in r) errors[f.key] = r.error;
          else if (r.value !== planValue(plan, f.key)) patch[f.key] = r.value;
        }
        const required = data.get('requiredIsolation') === 'gvisor' ? 'gvisor' : null;
        if (required !== plan.requiredIsolation) patch.requiredIsolation = required;
        if (Object.keys(errors).length) return { errors };
        if (Object.keys(patch).length === 0) return { errors: { _: 'Nothing changed' } };
        return { path: `/api/admin/plans/${plan.id}`, method: 'PATCH', body: patch };
      })}
    >
      <FormError message={form.formError ?? e._} />
      <Card>
        <CardHeader title="Name" />
        <CardBody>
          <Field key={`name-${plan.updatedAt}`} label="Plan name" error={e.name}>
            <Input name="name" defaultValue={plan.name} maxLength={60} />
          </Field>
        </CardBody>
      </Card>
      <Card>
        <CardHeader
          title="Isolation"
          description="With gVisor required, the plan's sandboxes run under gVisor: a create that names no level gets it, one asking for container is refused (403). Sandboxes already running keep theirs."
        />
        <CardBody>
          <Field key={`iso-${plan.updatedAt}`} label="Required isolation" error={e.requiredIsolation}>
            <Select name="requiredIsolation" defaultValue={plan.requiredIsolation ?? ''}>
              <option value="">Any level (container by default)</option>
              <option value="gvisor">gVisor required</option>
            </Select>
          </Field>
        </CardBody>
      </Card>
      {GROUPS.map((g) => (
        <Card key={g.id}>
          <CardHeader title={g.title} description={g.description} />
          <CardBody className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">{PLAN_FIELDS.filter((f) => f.group === g.id).map(input)}</CardBody>
          {g.id === 'quotas' ? (
            <CardFooter>
              <Button type="submit" pending={form.pending}>
                Save plan
              </Button>
            </CardFooter>
          ) : null}
        </Card>
      ))}
    </form>
  );
}
