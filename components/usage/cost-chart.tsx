'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/spinner';
import { exactMoney, formatTick } from '@/lib/client/money';
import { bucketLabel, type ChartRow, chartData, groupLabel, type Stack } from '@/lib/client/usage-chart';
import { KIND_COLORS, type UsageKind, type UsageSummary } from '@/lib/client/usage-types';
import { Money } from './money';

const UNIT_LABEL = { hour: 'Hour (UTC)', day: 'Day (UTC)', month: 'Month (UTC)' } as const;

/** Cost per bucket, stacked by the page's grouping (kind by default), with the same figures in a list below. */
export function CostChart({ summary, groupByLabel }: { summary: UsageSummary; groupByLabel: string }) {
  const { stacks, rows } = chartData(summary);
  const g = summary.granularity;
  const total = summary.totals.costMicros;
  return (
    <Card>
      <CardHeader
        title="Cost over time"
        description={`Stacked by ${groupByLabel.toLowerCase()}, ${g === 'hour' ? 'per hour' : g === 'day' ? 'per day' : 'per month'}. Times are UTC.`}
      />
      <CardBody className="grid gap-4">
        <div className="h-72" data-testid="usage-chart">
          <ResponsiveContainer width="100%" height="100%">
            {/* Recharts' accessibility layer: the chart takes focus and arrow keys move the tooltip between buckets. */}
            <BarChart
              data={rows}
              margin={{ top: 8, right: 8, bottom: 20, left: 8 }}
              accessibilityLayer
              title={`Cost per ${g}`}
              desc={`Stacked by ${groupByLabel.toLowerCase()}: ${stacks.map((s) => s.label).join(', ')}. The list below gives the same figures.`}
            >
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e4e7" />
              <XAxis
                dataKey="bucket"
                tickFormatter={(b: string) => bucketLabel(b, g)}
                tick={{ fontSize: 11 }}
                minTickGap={16}
                label={{ value: UNIT_LABEL[g], position: 'insideBottom', offset: -12, fontSize: 11, fill: '#71717a' }}
              />
              <YAxis
                allowDecimals={false}
                tickFormatter={(v: number) => formatTick(Math.round(v))}
                tick={{ fontSize: 11 }}
                width={72}
                label={{
                  value: 'Cost (USD)',
                  angle: -90,
                  position: 'insideLeft',
                  offset: 0,
                  fontSize: 11,
                  fill: '#71717a',
                  dy: 36,
                }}
              />
              <Tooltip content={<ChartTooltip stacks={stacks} granularity={g} />} cursor={{ fill: '#f4f4f5' }} />
              <Legend verticalAlign="top" height={28} iconType="square" wrapperStyle={{ fontSize: 12 }} />
              {stacks.map((s) => (
                <Bar
                  key={s.key}
                  dataKey={s.key}
                  name={s.label}
                  stackId="cost"
                  fill={s.color}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
        <ul
          className="grid gap-x-10 gap-y-1.5 text-sm sm:grid-cols-2"
          data-testid="usage-breakdown"
          aria-label="Cost by group"
        >
          {summary.groups.slice(0, 8).map((grp) => (
            <li key={grp.group} className="flex items-center gap-2">
              <span
                aria-hidden
                className="size-2.5 shrink-0 rounded-sm"
                style={{ background: colorOf(summary, stacks, grp.group) }}
              />
              <span className="min-w-0 truncate text-zinc-700">{groupLabel(summary.groupBy, grp.group)}</span>
              <span className="ml-auto flex items-baseline gap-2">
                <Money micros={grp.costMicros} className="font-medium text-zinc-900" />
                <span className="w-12 text-right text-xs text-zinc-500 tabular-nums">
                  {share(grp.costMicros, total)}
                </span>
              </span>
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}

/** The group's colour in the chart; kinds keep theirs even with no cost (active CPU at a zero rate). */
function colorOf(s: UsageSummary, stacks: Stack[], group: string): string {
  const stack = stacks.find((x) => x.key === group);
  if (stack) return stack.color;
  return s.groupBy === 'kind' ? (KIND_COLORS[group as UsageKind] ?? '#a1a1aa') : '#a1a1aa';
}

/** A share of the total, to one decimal ("12.5%"); not money, only a proportion. */
function share(part: number, total: number): string {
  if (!total) return '—';
  const permille = Math.round((part * 1000) / total);
  return `${Math.floor(permille / 10)}.${permille % 10}%`;
}

type TooltipProps = {
  stacks: Stack[];
  granularity: UsageSummary['granularity'];
  active?: boolean;
  payload?: Array<{ dataKey?: string | number; value?: number; payload?: ChartRow }>;
  label?: string;
};

function ChartTooltip({ stacks, granularity, active, payload, label: bucket }: TooltipProps) {
  if (!active || !payload?.length || !bucket) return null;
  const row = payload[0]?.payload;
  const items = stacks.map((s) => ({ ...s, micros: Number(row?.[s.key] ?? 0) })).filter((s) => s.micros > 0);
  const sum = items.reduce((a, s) => a + s.micros, 0);
  return (
    <div
      className="grid gap-1 rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md"
      data-testid="usage-chart-tooltip"
    >
      <p className="font-medium text-zinc-900">{bucketLabel(bucket, granularity)} UTC</p>
      {items.map((s) => (
        <p key={s.key} className="flex items-center gap-2">
          <span aria-hidden className="size-2 rounded-sm" style={{ background: s.color }} />
          <span className="text-zinc-600">{s.label}</span>
          <span className="ml-auto pl-4 font-medium tabular-nums">{exactMoney(s.micros)}</span>
        </p>
      ))}
      <p className="flex justify-between gap-4 border-t border-zinc-100 pt-1 font-medium">
        <span>Total</span>
        <span className="tabular-nums">{items.length ? exactMoney(sum) : '$0.00'}</span>
      </p>
    </div>
  );
}

export function CostChartSkeleton() {
  return (
    <Card className="grid gap-3 p-5" role="status" aria-busy="true" aria-label="Loading chart">
      <Skeleton className="h-4 w-32" />
      <Skeleton className="h-64 w-full" />
    </Card>
  );
}
