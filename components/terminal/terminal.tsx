'use client';

import dynamic from 'next/dynamic';
import { Spinner } from '@/components/ui/spinner';

/** xterm.js touches `window` on import, so the pane is loaded in the browser only. */
export const TerminalPane = dynamic(() => import('./terminal-view'), {
  ssr: false,
  loading: () => (
    <div className="stay-dark flex h-full min-h-64 items-center justify-center bg-zinc-950">
      <Spinner label="Loading terminal" />
    </div>
  ),
});
