'use client';

import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import * as React from 'react';
import { ApiError } from './api';

/**
 * A 401 on a read means the session ended (signed out in another tab, expired): go sign in and
 * come back. Once per page: a page with several live queries (the org home) would otherwise
 * start a navigation per query, each cancelling the last.
 */
let redirecting = false;
function onQueryError(err: unknown) {
  if (err instanceof ApiError && err.status === 401 && typeof window !== 'undefined' && !redirecting) {
    redirecting = true;
    const back = `${window.location.pathname}${window.location.search}`;
    window.location.assign(`/sign-in?callbackUrl=${encodeURIComponent(back)}`);
  }
}

function makeClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onQueryError }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        // 4xx answers will not change by asking again; network blips and 5xx might.
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  });
}

export function QueryProvider({ children }: { children: React.ReactNode }) {
  // One client per browser tab; useState keeps it across re-renders without sharing between requests on the server.
  const [client] = React.useState(makeClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
