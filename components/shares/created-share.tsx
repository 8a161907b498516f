'use client';

import { X } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { CopyButton, CopyField } from '@/components/ui/copy-button';
import type { CreatedShare } from '@/lib/client/sandbox-types';

/** A new link's URL and iframe snippet: the token lives only in them, so this is shown once. */
export function CreatedShareBox({ created, onDismiss }: { created: CreatedShare; onDismiss: () => void }) {
  return (
    <div data-testid="created-share" className="grid gap-2 border-b border-zinc-200 bg-emerald-50/50 px-5 py-4">
      <div className="flex items-center justify-between">
        <p className="text-sm font-medium text-zinc-900">Link created. Copy it now: it will not be shown again.</p>
        <Button variant="ghost" size="icon" aria-label="Dismiss link" onClick={onDismiss}>
          <X />
        </Button>
      </div>
      <CopyField value={created.url} label="Embed URL" />
      <div className="flex items-start gap-2">
        <pre
          data-testid="share-snippet"
          className="min-w-0 flex-1 overflow-x-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs whitespace-pre-wrap break-all text-zinc-800"
        >
          {created.snippet}
        </pre>
        <CopyButton value={created.snippet} label="Copy snippet" />
      </div>
    </div>
  );
}
