'use client';

import { useQuery } from '@tanstack/react-query';
import { Layers } from 'lucide-react';
import Link from 'next/link';
import { PageHeader } from '@/components/console/page-header';
import { Money } from '@/components/usage/money';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { AdminPlan } from '@/lib/client/admin-types';
import { usd } from '@/lib/billing/money';
import { api } from '@/lib/client/api';
import { NewPlanDialog } from './new-plan-dialog';

/** Every plan, cheapest first: price, credit, the main rate, who it is for and how many orgs are on it. */
export function PlansTable() {
  const plans = useQuery({ queryKey: ['admin-plans'], queryFn: ({ signal }) => api<{ plans: AdminPlan[] }>('/api/admin/plans', { signal }) });
  const list = plans.data?.plans ?? [];
  return (
    <>
      <PageHeader
        title="Plans"
        description="What orgs pay and may use. Free, Pro and Team are everyone's; custom plans are assigned by platform admins, optionally made for one org. Open a plan to edit its price, credit, rates and quotas."
        actions={plans.data ? <NewPlanDialog plans={list} /> : null}
      />
      <Card>
        <QueryStates query={plans} columns={5} />
        {plans.data && list.length === 0 ? <EmptyState icon={Layers} title="No plans" description="The seeded plans are missing: restart the console to seed them." /> : null}
        {list.length > 0 ? (
          <Table data-testid="admin-plans-table">
            <THead>
              <TR>
                <TH>Plan</TH>
                <TH className="text-right">Price</TH>
                <TH className="text-right max-sm:hidden">Credit</TH>
                <TH className="text-right max-md:hidden">vCPU-hour</TH>
                <TH className="text-right">Orgs</TH>
              </TR>
            </THead>
            <TBody>
              {list.map((p) => (
                <TR key={p.id} data-testid={`admin-plan-${p.id}`}>
                  <TD className="min-w-44">
                    <Link href={`/admin/plans/${p.id}`} className="font-medium text-zinc-900 hover:text-indigo-700 hover:underline">
                      {p.name}
                    </Link>
                    <div className="flex flex-wrap items-center gap-1.5 text-xs text-zinc-500">
                      <code className="font-mono">{p.id}</code>
                      {p.custom ? <Badge tone="accent">custom</Badge> : null}
                      {p.requiredIsolation === 'gvisor' ? <Badge tone="accent">gVisor only</Badge> : null}
                      {p.org ? (
                        <Link href={`/admin/orgs/${p.org.id}`} className="hover:underline">
                          <Badge tone="warning">for {p.org.name}</Badge>
                        </Link>
                      ) : null}
                    </div>
                  </TD>
                  <TD className="text-right whitespace-nowrap">
                    <Money micros={p.priceMicros} />
                    /mo
                  </TD>
                  <TD className="text-right max-sm:hidden">
                    <Money micros={p.monthlyCreditMicros} />
                  </TD>
                  {/* Every digit of a rate ($0.0504), never rounded to a cent. */}
                  <TD className="text-right tabular-nums max-md:hidden">{usd(p.rates.vcpuHourMicros)}</TD>
                  <TD className="text-right tabular-nums">{p.orgCount}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        ) : null}
      </Card>
    </>
  );
}
