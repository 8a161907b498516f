'use client';

import { AlertTriangle, SearchX } from 'lucide-react';
import Link from 'next/link';
import { ApiError, errorMessage } from '@/lib/client/api';
import { Button } from './button';
import { Card } from './card';
import { EmptyState } from './empty-state';

/**
 * What a page shows when what it loads failed: a not-found says what is missing, any other error
 * says what went wrong and offers a retry; both always offer a way back (`back`), never a bare
 * red box the person can only leave with the browser's back button.
 */
export function ErrorState({
  error,
  what,
  back,
  onRetry,
}: {
  error: unknown;
  /** "sandbox", "usage": what the page was loading. */
  what: string;
  back: { href: string; label: string };
  onRetry?: () => void;
}) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <Card data-testid={missing ? 'not-found-state' : 'error-state'}>
      <EmptyState
        icon={missing ? SearchX : AlertTriangle}
        title={missing ? `This ${what} does not exist` : `The ${what} could not be loaded`}
        description={missing ? 'It may have been deleted, or the link is wrong.' : errorMessage(error)}
        action={
          <div className="flex flex-wrap justify-center gap-2">
            <Button asChild variant={missing ? 'primary' : 'outline'}>
              <Link href={back.href}>{back.label}</Link>
            </Button>
            {!missing && onRetry ? <Button onClick={onRetry}>Try again</Button> : null}
          </div>
        }
      />
    </Card>
  );
}
