'use client';

import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { useOrg } from '@/lib/client/org-context';

/** The links every not-found and error page of the console offers: the org's home and its sandboxes. */
export function WayOut() {
  const { org, can } = useOrg();
  return (
    <div className="flex flex-wrap justify-center gap-2">
      <Button asChild>
        <Link href={`/${org.slug}`}>Go to {org.name}</Link>
      </Button>
      {can('sandboxes:read') ? (
        <Button asChild variant="outline">
          <Link href={`/${org.slug}/sandboxes`}>Sandboxes</Link>
        </Button>
      ) : null}
    </div>
  );
}
