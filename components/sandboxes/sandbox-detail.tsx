'use client';

import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Tabs } from 'radix-ui';
import * as React from 'react';
import { CopyButton } from '@/components/ui/copy-button';
import { ErrorState } from '@/components/ui/error-state';
import { FormError } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { useOrg } from '@/lib/client/org-context';
import { FilesTab } from './files/files-tab';
import { OverviewTab } from './overview/overview-tab';
import { PortsTab } from './ports-tab';
import { SandboxActions } from './sandbox-actions';
import { SandboxCost } from './sandbox-cost';
import { SandboxSnapshotsTab } from './sandbox-snapshots-tab';
import { SandboxTerminalTab } from './sandbox-terminal-tab';
import { StateBadge } from './state-badge';
import { TAB_LABELS, TABS, type Tab } from './tabs';
import { useSandbox } from './use-sandbox';

const tabClass =
  'border-b-2 border-transparent px-3 py-2 text-sm font-medium text-zinc-500 hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 data-[state=active]:border-indigo-600 data-[state=active]:text-zinc-900';

export function SandboxDetail({ id, initialTab }: { id: string; initialTab: Tab }) {
  const { org, can } = useOrg();
  const router = useRouter();
  const [tab, setTab] = React.useState<Tab>(initialTab);
  const sandbox = useSandbox(id);

  function select(next: string) {
    setTab(next as Tab);
    // Keep the tab in the URL so a reload or a shared link lands on it.
    const url = new URL(window.location.href);
    url.searchParams.set('tab', next);
    window.history.replaceState(null, '', url);
  }

  if (sandbox.isPending) return <Spinner label="Loading sandbox" />;
  if (sandbox.isError) {
    return (
      <ErrorState
        error={sandbox.error}
        what="sandbox"
        back={{ href: `/${org.slug}/sandboxes`, label: 'Back to sandboxes' }}
        onRetry={() => void sandbox.refetch()}
      />
    );
  }
  const sb = sandbox.data;

  return (
    <div className="grid gap-4">
      <Link
        href={`/${org.slug}/sandboxes`}
        className="inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900"
      >
        <ArrowLeft className="size-4" /> Sandboxes
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-lg font-semibold text-zinc-900" data-testid="sandbox-id">
          {sb.id}
        </h1>
        <CopyButton value={sb.id} label="Copy id" />
        <StateBadge state={sb.state} reason={sb.reason} />
        {can('usage:read') ? <SandboxCost sandbox={sb} /> : null}
        <div className="ml-auto">
          <SandboxActions sandbox={sb} onDeleted={() => router.push(`/${org.slug}/sandboxes`)} />
        </div>
      </div>
      {sb.state === 'error' && sb.reason ? <FormError message={sb.reason} /> : null}
      <Tabs.Root value={tab} onValueChange={select}>
        <Tabs.List aria-label="Sandbox sections" className="mb-4 flex gap-1 overflow-x-auto border-b border-zinc-200">
          {TABS.map((t) => (
            <Tabs.Trigger key={t} value={t} className={tabClass}>
              {TAB_LABELS[t]}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {/* The terminal stays mounted while other tabs show, so its session and scrollback survive. */}
        <Tabs.Content value="terminal" forceMount className="data-[state=inactive]:hidden">
          <SandboxTerminalTab sandbox={sb} />
        </Tabs.Content>
        <Tabs.Content value="files">
          <FilesTab sandbox={sb} />
        </Tabs.Content>
        <Tabs.Content value="ports">
          <PortsTab sandbox={sb} />
        </Tabs.Content>
        <Tabs.Content value="snapshots">
          <SandboxSnapshotsTab sandbox={sb} />
        </Tabs.Content>
        <Tabs.Content value="overview">
          <OverviewTab sandbox={sb} />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
