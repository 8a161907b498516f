'use client';

import { useQuery } from '@tanstack/react-query';
import * as React from 'react';
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { formatBytes } from '@/lib/client/sandbox-format';
import type { Metrics, Sandbox } from '@/lib/client/sandbox-types';

type Point = { t: number; cpu: number; memMb: number };
const KEEP = 60;

/**
 * Live CPU and memory, polled every 2 s. The runner reports cumulative CPU seconds, so the CPU
 * line is the delta between samples (100% = one full vCPU).
 */
export function MetricsCard({ sandbox }: { sandbox: Sandbox }) {
  const { org } = useOrg();
  const running = sandbox.state === 'running';
  const [points, setPoints] = React.useState<Point[]>([]);
  const last = React.useRef<{ at: number; cpu: number } | null>(null);
  const metrics = useQuery({
    queryKey: ['metrics', org.slug, sandbox.id],
    queryFn: async ({ signal }) => {
      const m = await api<Metrics>(`/api/v1/sandboxes/${sandbox.id}/metrics`, { org: org.slug, signal });
      const now = Date.now();
      const prev = last.current;
      last.current = { at: now, cpu: m.cpuSeconds };
      if (prev && now > prev.at) {
        const cpu = Math.max(0, ((m.cpuSeconds - prev.cpu) / ((now - prev.at) / 1000)) * 100);
        setPoints((p) =>
          [...p, { t: now, cpu: Math.round(cpu * 10) / 10, memMb: Math.round(m.memoryBytes / 1048576) }].slice(-KEEP),
        );
      }
      return m;
    },
    enabled: running,
    refetchInterval: 2000,
    retry: false,
  });
  const m = metrics.data;

  return (
    <Card>
      <CardHeader
        title="Live usage"
        description={running ? 'Sampled every 2 seconds.' : 'Metrics are sampled while the sandbox runs.'}
      />
      <CardBody className="grid gap-4">
        <dl className="grid grid-cols-4 gap-3 text-sm">
          <Stat label="CPU" value={points.length ? `${points.at(-1)!.cpu}%` : '—'} />
          <Stat label="Memory" value={m ? `${formatBytes(m.memoryBytes)} / ${sandbox.memoryMb} MiB` : '—'} />
          <Stat label="Disk" value={m ? formatBytes(m.diskBytes) : '—'} />
          <Stat label="Processes" value={m ? String(m.pids) : '—'} />
        </dl>
        {metrics.isError && running ? <p className="text-xs text-red-600">{errorMessage(metrics.error)}</p> : null}
        {running ? (
          <div className="h-40" data-testid="metrics-chart">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
                <XAxis dataKey="t" hide />
                <YAxis
                  yAxisId="cpu"
                  tick={{ fontSize: 10 }}
                  unit="%"
                  domain={[0, (max: number) => Math.max(100, Math.ceil(max))]}
                />
                <YAxis
                  yAxisId="mem"
                  orientation="right"
                  tick={{ fontSize: 10 }}
                  unit="M"
                  domain={[0, sandbox.memoryMb]}
                />
                <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()} />
                <Line
                  yAxisId="cpu"
                  type="monotone"
                  dataKey="cpu"
                  name="CPU %"
                  stroke="#4f46e5"
                  dot={false}
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="mem"
                  type="monotone"
                  dataKey="memMb"
                  name="Memory MiB"
                  stroke="#059669"
                  dot={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
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
