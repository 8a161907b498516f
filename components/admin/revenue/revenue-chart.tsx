'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import type { Revenue, RevenueDay } from '@/lib/client/admin-types';
import { exactMoney, formatTick } from '@/lib/client/money';

const SERIES = [
  { key: 'creditMicros', label: 'Paid by credit', color: '#818cf8', stack: 'usage' },
  { key: 'uncoveredMicros', label: 'Not covered by credit', color: '#f59e0b', stack: 'usage' },
  { key: 'subscriptionMicros', label: 'Subscriptions', color: '#10b981', stack: 'subs' },
] as const;

const dayOf = (iso: string) => String(Number(iso.slice(8, 10)));

/** Metered cost per day, split into what credit paid and what it did not; subscriptions beside it when invoices exist. */
export function RevenueChart({ revenue }: { revenue: Revenue }) {
  const series = SERIES.filter((s) => s.key !== 'subscriptionMicros' || revenue.subscriptions.available);
  return (
    <Card>
      <CardHeader title="By day" description="Metered cost (usage revenue at the plans' rates) per UTC day: the bar's height; its colours say how it was paid." />
      <CardBody>
        <div className="h-72" data-testid="revenue-chart">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart
              data={revenue.days}
              margin={{ top: 8, right: 8, bottom: 20, left: 8 }}
              accessibilityLayer
              title={`Revenue per day, ${revenue.month}`}
              desc="Stacked bars of metered cost paid by credit and not covered by credit; the table below gives the same figures."
            >
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e4e7" />
              <XAxis
                dataKey="day"
                tickFormatter={dayOf}
                tick={{ fontSize: 11 }}
                minTickGap={8}
                label={{ value: `Day of ${revenue.month} (UTC)`, position: 'insideBottom', offset: -12, fontSize: 11, fill: '#71717a' }}
              />
              <YAxis
                allowDecimals={false}
                tickFormatter={(v: number) => formatTick(Math.round(v))}
                tick={{ fontSize: 11 }}
                width={72}
                label={{ value: 'USD', angle: -90, position: 'insideLeft', fontSize: 11, fill: '#71717a', dy: 12 }}
              />
              <Tooltip content={<DayTooltip series={series} />} cursor={{ fill: '#f4f4f5' }} />
              <Legend verticalAlign="top" height={28} iconType="square" wrapperStyle={{ fontSize: 12 }} />
              {series.map((s) => (
                <Bar key={s.key} dataKey={s.key} name={s.label} stackId={s.stack} fill={s.color} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      </CardBody>
    </Card>
  );
}

type TooltipProps = { series: typeof SERIES extends readonly (infer T)[] ? T[] : never; active?: boolean; payload?: Array<{ payload?: RevenueDay }>; label?: string };

function DayTooltip({ series, active, payload, label }: TooltipProps) {
  const d = payload?.[0]?.payload;
  if (!active || !d || !label) return null;
  return (
    <div className="grid gap-1 rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md" data-testid="revenue-chart-tooltip">
      <p className="font-medium text-zinc-900">{label} (UTC)</p>
      {series.map((s) => (
        <p key={s.key} className="flex items-center gap-2">
          <span aria-hidden className="size-2 rounded-sm" style={{ background: s.color }} />
          <span className="text-zinc-600">{s.label}</span>
          <span className="ml-auto pl-4 font-medium tabular-nums">{exactMoney(d[s.key] ?? 0)}</span>
        </p>
      ))}
      <p className="flex justify-between gap-4 border-t border-zinc-100 pt-1 font-medium">
        <span>Metered cost</span>
        <span className="tabular-nums">{exactMoney(d.costMicros)}</span>
      </p>
    </div>
  );
}
