'use client';

import { Download } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { apiResponse, errorMessage, saveBlob } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import { type ResolvedRange, type UsageSelection, usageQuery } from '@/lib/client/usage-period';

/**
 * The API's own CSV for what the page shows (same period, buckets and grouping). Fetched rather
 * than linked because the console's session calls name their org in a header.
 */
export function CsvDownloadButton({ selection, range }: { selection: UsageSelection; range: ResolvedRange }) {
  const { org } = useOrg();
  const [pending, setPending] = React.useState(false);

  async function download() {
    setPending(true);
    try {
      const q = usageQuery(selection, range);
      q.set('format', 'csv');
      const res = await apiResponse(`/api/v1/usage?${q}`, { org: org.slug });
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'warren-usage.csv';
      saveBlob(await res.blob(), name);
    } catch (err) {
      toast.error(`Could not download the CSV: ${errorMessage(err)}`);
    } finally {
      setPending(false);
    }
  }

  return (
    <Button variant="outline" onClick={download} pending={pending} disabled={range.error !== null}>
      {pending ? null : <Download aria-hidden />} Download CSV
    </Button>
  );
}
