'use client';

import { X } from 'lucide-react';
import { FileBrowser } from '@/components/sandboxes/files/file-browser';
import { Button } from '@/components/ui/button';
import { useOrg } from '@/lib/client/org-context';
import type { Snapshot } from '@/lib/client/sandbox-types';

/** A snapshot's frozen filesystem, read-only: no sandbox needs to run to look inside. */
export function SnapshotBrowser({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const { org } = useOrg();
  return (
    <section
      aria-label={`Files of snapshot ${snapshot.name ?? snapshot.id}`}
      className="grid gap-2 border-t border-zinc-200 p-4"
    >
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold text-zinc-900">
          Files of <span className="font-mono">{snapshot.name ?? snapshot.id}</span>{' '}
          <span className="font-normal text-zinc-500">(read-only)</span>
        </h3>
        <Button variant="ghost" size="icon" aria-label="Close snapshot files" onClick={onClose}>
          <X />
        </Button>
      </div>
      <FileBrowser
        key={snapshot.id}
        src={{ base: `/api/v1/snapshots/${snapshot.id}`, org: org.slug, writable: false }}
      />
    </section>
  );
}
