'use client';

import { Activity, AlertTriangle } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { PageHeader } from '@/components/console/page-header';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { FormError } from '@/components/ui/field';
import { TableSkeleton } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { rangeOf, selectionSearch, type UsageSelection } from '@/lib/client/usage-period';
import { CostChart, CostChartSkeleton } from './cost-chart';
import { CsvDownloadButton } from './csv-download-button';
import { TopSandboxesTable } from './top-sandboxes-table';
import { UsageCards, UsageCardsSkeleton } from './usage-cards';
import { UsageControls } from './usage-controls';
import { useUsage } from './use-usage';

function groupByLabel(g: string): string {
  if (g.startsWith('metadata.')) return `Metadata "${g.slice(9)}"`;
  return g.charAt(0).toUpperCase() + g.slice(1);
}

/** The Usage page: what the org's sandboxes cost over a period, by kind or any grouping, and by sandbox. */
export function UsageView({ initial }: { initial: UsageSelection }) {
  const { org, can } = useOrg();
  const [selection, setSelection] = React.useState(initial);
  // Presets count up to "now"; fixed per selection so the query key (and the cache) stays put.
  const range = React.useMemo(() => rangeOf(selection, new Date()), [selection]);
  const usage = useUsage(selection, range);
  const bySandbox = useUsage(selection, range, 'sandbox');

  function change(next: UsageSelection) {
    setSelection(next);
    // Keep the view in the URL so a reload or a shared link lands on it.
    const url = new URL(window.location.href);
    url.search = selectionSearch(next);
    window.history.replaceState(null, '', url);
  }

  const data = usage.data;
  return (
    <div className="grid gap-5">
      <PageHeader
        title="Usage"
        description="What your sandboxes cost, metered per second: compute while they run, memory while paused, storage while stopped."
        actions={<CsvDownloadButton selection={selection} range={range} />}
      />
      <UsageControls value={selection} onChange={change} />
      {range.error ? <FormError message={range.error} /> : null}
      {!range.error && usage.isPending ? (
        <>
          <UsageCardsSkeleton />
          <CostChartSkeleton />
        </>
      ) : null}
      {usage.isError && !data ? (
        <Card>
          <EmptyState
            icon={AlertTriangle}
            title="Usage could not be loaded"
            description={errorMessage(usage.error)}
            action={
              <Button variant="outline" onClick={() => usage.refetch()} pending={usage.isFetching}>
                Try again
              </Button>
            }
          />
        </Card>
      ) : null}
      {data && data.series.length === 0 ? (
        <Card>
          <EmptyState
            icon={Activity}
            title={selection.period === 'month' ? 'No usage yet' : 'No usage in this period'}
            description="Run a sandbox: every second it runs, pauses or keeps its files is metered and shows up here."
            action={
              can('sandboxes:read') ? (
                <Button asChild variant="outline">
                  <Link href={`/${org.slug}/sandboxes`}>Run a sandbox</Link>
                </Button>
              ) : null
            }
          />
        </Card>
      ) : null}
      {data && data.series.length > 0 ? (
        <>
          {usage.isError ? <FormError message={`Showing earlier figures: ${errorMessage(usage.error)}`} /> : null}
          <UsageCards summary={data} currentMonth={selection.period === 'month'} />
          <CostChart summary={data} groupByLabel={groupByLabel(selection.groupBy)} />
          {bySandbox.data ? <TopSandboxesTable groups={bySandbox.data.groups} /> : null}
          {bySandbox.isPending ? (
            <Card>
              <TableSkeleton columns={5} />
            </Card>
          ) : null}
          {bySandbox.isError && !bySandbox.data ? <FormError message={errorMessage(bySandbox.error)} onRetry={() => void bySandbox.refetch()} /> : null}
        </>
      ) : null}
    </div>
  );
}
