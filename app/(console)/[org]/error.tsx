'use client';

import { AlertTriangle } from 'lucide-react';
import { WayOut } from '@/components/console/way-out';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

/** A page failed to render; the shell stays, so the person can retry or go elsewhere. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white">
      <EmptyState
        icon={AlertTriangle}
        title="This page could not be loaded"
        description={
          <>
            Something went wrong on our side. Try again; if it keeps happening, give your administrator this reference:{' '}
            <code className="font-mono">{error.digest ?? 'n/a'}</code>
          </>
        }
        action={
          <div className="grid justify-items-center gap-3">
            <Button variant="outline" onClick={reset}>
              Try again
            </Button>
            <WayOut />
          </div>
        }
      />
    </div>
  );
}
