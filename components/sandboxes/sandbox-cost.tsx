'use client';

import { Money } from '@/components/usage/money';
import { useSandboxUsage } from '@/components/usage/use-usage';
import { formatRate } from '@/lib/client/money';
import type { Sandbox } from '@/lib/client/sandbox-types';

/** What a sandbox has cost since it was created, in the page header: visible whichever tab is open. */
export function SandboxCost({ sandbox }: { sandbox: Sandbox }) {
  const usage = useSandboxUsage(sandbox.id, isMetered(sandbox));
  // Until the usage answers, the sandbox object's own figure (same source, a moment older).
  const micros = usage.data?.totals.costMicros ?? sandbox.costMicros;
  const burn = usage.data?.burnRateMicrosPerHour ?? 0;
  return (
    <span className="inline-flex items-baseline gap-1.5 text-sm text-zinc-500" data-testid="sandbox-cost">
      Cost so far <Money micros={micros} className="font-medium text-zinc-900" data-testid="sandbox-cost-amount" />
      {burn && sandbox.state === 'running' ? <span className="text-xs">· {formatRate(burn)}</span> : null}
    </span>
  );
}

/** Running and paused sandboxes cost by the second; refresh them often, the rest now and then. */
export function isMetered(sb: Sandbox): boolean {
  return sb.state === 'running' || sb.state === 'paused' || sb.state === 'creating';
}
