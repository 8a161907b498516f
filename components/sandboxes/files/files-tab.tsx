'use client';

import { FolderOpen } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { FileBrowser } from './file-browser';

/** The sandbox's live filesystem; files are reached through the running sandbox. */
export function FilesTab({ sandbox }: { sandbox: Sandbox }) {
  const { org, can } = useOrg();
  if (sandbox.state === 'creating' || sandbox.state === 'error') {
    return (
      <EmptyState
        icon={FolderOpen}
        title={`The sandbox is ${sandbox.state}`}
        description="Files are available once it runs."
      />
    );
  }
  return (
    <FileBrowser src={{ base: `/api/v1/sandboxes/${sandbox.id}`, org: org.slug, writable: can('sandboxes:write') }} />
  );
}
