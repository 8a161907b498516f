import type { Metadata } from 'next';
import { UsageView } from '@/components/usage/usage-view';
import { parseSelection } from '@/lib/client/usage-period';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Usage' };

export default async function UsagePage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePagePermission(params, 'usage:read');
  // The view (period, buckets, grouping) lives in the URL; the figures load in the browser and refresh.
  return <UsageView initial={parseSelection(await searchParams)} />;
}
