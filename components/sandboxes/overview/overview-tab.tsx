'use client';

import * as React from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { formatDateTime } from '@/lib/client/format';
import { useOrg } from '@/lib/client/org-context';
import { formatDuration, formatMemory, timeLeft } from '@/lib/client/sandbox-format';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { ExtendTimeoutDialog } from '../extend-timeout-dialog';
import { StateBadge } from '../state-badge';
import { ExecLogCard } from './exec-log-card';
import { MetricsCard } from './metrics-card';
import { ShareLinksCard } from './share-links-card';
import { UsageCard } from './usage-card';

export function OverviewTab({ sandbox: sb }: { sandbox: Sandbox }) {
  const { can } = useOrg();
  const [extending, setExtending] = React.useState(false);
  const alive = sb.state === 'running' || sb.state === 'paused';
  const meta = Object.entries(sb.metadata ?? {});

  return (
    <div className="grid gap-4">
      <Card>
        <CardHeader
          title="Details"
          actions={
            can('sandboxes:write') && alive ? (
              <Button variant="outline" size="sm" onClick={() => setExtending(true)}>
                Extend timeout
              </Button>
            ) : null
          }
        />
        <CardBody>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm md:grid-cols-3">
            <Item label="State">
              <StateBadge state={sb.state} reason={sb.reason} />
            </Item>
            <Item label="Template">{sb.template}</Item>
            <Item label="Isolation">{sb.isolation === 'gvisor' ? 'gVisor (user-space kernel)' : 'Container (runc)'}</Item>
            <Item label="Resources">
              {sb.cpu} vCPU · {formatMemory(sb.memoryMb)} · {formatMemory(sb.diskMb)} disk
            </Item>
            <Item label="Expires">
              <span data-testid="expires-in">{alive && sb.expiresAt ? `in ${timeLeft(sb.expiresAt)}` : '—'}</span>
              <span className="block text-xs text-zinc-500">timeout {formatDuration(sb.timeoutSec)}</span>
            </Item>
            <Item label="Idle timeout">{sb.idleTimeoutSec ? formatDuration(sb.idleTimeoutSec) : 'none'}</Item>
            <Item label="Network">
              {sb.network?.mode === 'egress'
                ? `egress${sb.network.allow?.length ? ` to ${sb.network.allow.join(', ')} (ports ${(sb.network.ports ?? [80, 443]).join(', ')})` : ''}`
                : 'none (loopback only)'}
            </Item>
            <Item label="Secrets">
              {sb.secrets?.length ? <span className="font-mono text-xs">{sb.secrets.join(', ')}</span> : 'none'}
            </Item>
            <Item label="Created">
              {formatDateTime(sb.createdAt)}
              {sb.shareId ? (
                <span className="block text-xs text-zinc-500" data-testid="made-by-share">
                  for a visitor of demo link <span className="font-mono">{sb.shareId}</span>
                </span>
              ) : null}
            </Item>
            <Item label="Last activity">{formatDateTime(sb.lastActivityAt)}</Item>
            <Item label="Forked from">
              {sb.snapshotId ? <span className="font-mono text-xs">{sb.snapshotId}</span> : '—'}
            </Item>
            <Item label="Metadata" wide>
              {meta.length ? (
                <span className="flex flex-wrap gap-1">
                  {meta.map(([k, v]) => (
                    <Badge key={k} className="font-mono">
                      {k}={v}
                    </Badge>
                  ))}
                </span>
              ) : (
                'none'
              )}
            </Item>
          </dl>
        </CardBody>
      </Card>
      <MetricsCard sandbox={sb} />
      <UsageCard sandbox={sb} />
      <ExecLogCard sandboxId={sb.id} />
      <ShareLinksCard sandboxId={sb.id} />
      <ExtendTimeoutDialog sandbox={sb} open={extending} onOpenChange={setExtending} />
    </div>
  );
}

function Item({ label, wide, children }: { label: string; wide?: boolean; children: React.ReactNode }) {
  return (
    <div className={wide ? 'col-span-full grid gap-0.5' : 'grid gap-0.5'}>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="text-zinc-900">{children}</dd>
    </div>
  );
}
