'use client';

import { useQuery } from '@tanstack/react-query';
import * as React from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { formatBytes } from '@/lib/client/sandbox-format';
import type { Metrics, MetricsSample, Sandbox } from '@/lib/client/sandbox-types';

type Point = { t: number; cpu: number; memMb: number };
/** The runner keeps 30 minutes; the chart shows what it has of them. */
const WINDOW_MS = 30 * 60_000;

const toPoint = (s: MetricsSample): Point => ({ t: Date.parse(s.at), cpu: s.cpuPercent, memMb: Math.round(s.memoryBytes / 1048576) });
const clock = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * CPU and memory over the last minutes. The runner samples every 5 s and keeps 30 minutes
 * (runner/sandbox/recent-metrics.ts), so the chart opens with that history; after the first
 * read only the samples after the newest one are asked for. The figures above it are live (2 s).
 */
export function MetricsCard({ sandbox }: { sandbox: Sandbox }) {
  const { org } = useOrg();
  const running = sandbox.state === 'running';
  const [points, setPoints] = React.useState<Point[]>([]);
  const newest = React.useRef<string | null>(null);
  const metrics = useQuery({
    queryKey: ['metrics', org.slug, sandbox.id],
    queryFn: async ({ signal }) => {
      const since = newest.current ? `?since=${encodeURIComponent(newest.current)}` : '';
      const m = await api<Metrics>(`/api/v1/sandboxes/${sandbox.id}/metrics${since}`, { org: org.slug, signal });
      const fresh = (m.recent ?? []).filter((s) => !newest.current || s.at > newest.current);
      if (fresh.length) {
        newest.current = fresh.at(-1)!.at;
        const cutoff = Date.now() - WINDOW_MS;
        setPoints((p) => [...p, ...fresh.map(toPoint)].filter((x) => x.t >= cutoff));
      }
      return m;
    },
    enabled: running,
    refetchInterval: 2000,
    retry: false,
  });
  const m = metrics.data;
  const last = points.at(-1);

  return (
    <Card>
      <CardHeader
        title="CPU and memory"
        description={
          running
            ? 'The last 30 minutes, sampled every 5 seconds by the runner.'
            : 'Sampled while the sandbox runs.'
        }
      />
      <CardBody className="grid gap-4">
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
          <Stat label="CPU" value={last ? `${last.cpu}%` : '—'} />
          <Stat label="Memory" value={m ? `${formatBytes(m.memoryBytes)} / ${sandbox.memoryMb} MiB` : '—'} />
          <Stat label="Disk" value={m ? formatBytes(m.diskBytes) : '—'} />
          <Stat label="Processes" value={m ? String(m.pids) : '—'} />
        </dl>
        {metrics.isError && running ? <p className="text-xs text-red-600">{errorMessage(metrics.error)}</p> : null}
        {running ? (
          <div className="h-56" data-testid="metrics-chart" data-points={points.length}>
            {points.length < 2 ? (
              <p className="flex h-full items-center justify-center text-sm text-zinc-500">
                Collecting samples: the first points appear within 10 seconds.
              </p>
            ) : (
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="currentColor" strokeOpacity={0.1} vertical={false} />
                  <XAxis
                    dataKey="t"
                    type="number"
                    scale="time"
                    domain={['dataMin', 'dataMax']}
                    tickFormatter={clock}
                    tick={{ fontSize: 10, fill: 'currentColor' }}
                    minTickGap={40}
                  />
                  <YAxis
                    yAxisId="cpu"
                    tick={{ fontSize: 10, fill: 'currentColor' }}
                    unit="%"
                    width={44}
                    domain={[0, (max: number) => Math.max(100, Math.ceil(max))]}
                  />
                  <YAxis
                    yAxisId="mem"
                    orientation="right"
                    tick={{ fontSize: 10, fill: 'currentColor' }}
                    unit=" MiB"
                    width={60}
                    domain={[0, sandbox.memoryMb]}
                  />
                  <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()} />
                  <Legend verticalAlign="top" height={24} iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
                  <Line
                    yAxisId="cpu"
                    type="monotone"
                    dataKey="cpu"
                    name="CPU (% of one vCPU)"
                    stroke="#4f46e5"
                    dot={false}
                    isAnimationActive={false}
                  />
                  <Line
                    yAxisId="mem"
                    type="monotone"
                    dataKey="memMb"
                    name={`Memory (MiB of ${sandbox.memoryMb})`}
                    stroke="#059669"
                    dot={false}
                    isAnimationActive={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            )}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="font-medium text-zinc-900">{value}</dd>
    </div>
  );
}
