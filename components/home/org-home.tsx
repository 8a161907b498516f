'use client';

import { PageHeader } from '@/components/console/page-header';
import { useOrg } from '@/lib/client/org-context';
import { GettingStarted } from './getting-started';
import { MonthCard } from './month-card';
import { RecentActivity } from './recent-activity';
import { RunningSandboxes } from './running-sandboxes';

/** Each card shows only to roles that may read what it shows (a billing member sees cost, not sandboxes). */
export function OrgHome({ name }: { name: string }) {
  const { can } = useOrg();
  return (
    <>
      <PageHeader title={name} description="What runs now, what this month costs, and what happened lately." />
      <div className="grid gap-6 xl:grid-cols-3">
        <div className="grid min-w-0 content-start gap-6 xl:col-span-2">
          {can('sandboxes:read') ? <RunningSandboxes /> : null}
          {can('sandboxes:write') ? <GettingStarted /> : null}
        </div>
        <div className="grid min-w-0 content-start gap-6">
          {can('usage:read') ? <MonthCard /> : null}
          {can('audit:read') ? <RecentActivity /> : null}
        </div>
      </div>
    </>
  );
}
