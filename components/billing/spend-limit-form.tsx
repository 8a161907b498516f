'use client';

import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardFooter, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { parseUsd, usd } from '@/lib/billing/money';
import type { BillingResponse } from '@/lib/client/billing-types';
import { useOrg } from '@/lib/client/org-context';
import { useApiForm } from '@/lib/client/use-api-form';

const asInput = (m: number | null) => (m === null ? '' : usd(m).slice(1).replaceAll(',', ''));

/**
 * The monthly spend limit (a hard cap: running sandboxes stop when it is reached) and the alert
 * threshold, typed in dollars. Empty means none. Checked here first (an amount, the alert below
 * the limit), then by the API, whose field errors show beside the inputs.
 */
export function SpendLimitForm({ billing }: { billing: BillingResponse }) {
  const { org, can } = useOrg();
  const queryClient = useQueryClient();
  const editable = can('billing:write');
  const form = useApiForm<BillingResponse>({
    fields: ['spendLimitMicros', 'spendAlertMicros'],
    onSuccess: async (next) => {
      toast.success('Spend limits saved');
      queryClient.setQueryData(['billing', org.slug], next);
    },
  });
  return (
    <Card>
      <form
        noValidate
        data-testid="spend-limit-form"
        onSubmit={form.submit((data) => {
          const errors: Record<string, string> = {};
          const amount = (input: string, field: string, example: string) => {
            const raw = String(data.get(input) ?? '').trim();
            if (raw === '') return null;
            const micros = parseUsd(raw);
            if (micros === null) errors[field] = `Enter an amount in dollars, e.g. ${example}`;
            return micros;
          };
          const limit = amount('spendLimit', 'spendLimitMicros', '50 or 12.50');
          const alert = amount('spendAlert', 'spendAlertMicros', '40');
          if (!errors.spendAlertMicros && limit !== null && alert !== null && alert >= limit) errors.spendAlertMicros = 'The alert must be below the limit';
          if (Object.keys(errors).length) return { errors };
          return { path: '/api/v1/billing', method: 'PATCH', org: org.slug, body: { spendLimitMicros: limit, spendAlertMicros: alert } };
        })}
      >
        <CardHeader
          title="Spend limit and alert"
          description={
            editable
              ? 'Per month. At the limit, running sandboxes are stopped (files are kept) and new ones refused until the limit is raised or the month ends.'
              : 'Only owners and billing members can change these.'
          }
        />
        <CardBody className="grid gap-4 sm:grid-cols-2">
          <div className="sm:col-span-2">
            <FormError message={form.formError} />
          </div>
          <Field label="Monthly spend limit ($)" error={form.fieldErrors.spendLimitMicros} hint="Empty: no limit.">
            <Input name="spendLimit" inputMode="decimal" defaultValue={asInput(billing.spend.limitMicros)} key={`l-${billing.spend.limitMicros}`} disabled={!editable} placeholder="No limit" />
          </Field>
          <Field label="Alert at ($)" error={form.fieldErrors.spendAlertMicros} hint="Recorded once a month when crossed, with a banner.">
            <Input name="spendAlert" inputMode="decimal" defaultValue={asInput(billing.spend.alertMicros)} key={`a-${billing.spend.alertMicros}`} disabled={!editable} placeholder="No alert" />
          </Field>
        </CardBody>
        {editable ? (
          <CardFooter>
            <Button type="submit" pending={form.pending}>
              Save limits
            </Button>
          </CardFooter>
        ) : null}
      </form>
    </Card>
  );
}
