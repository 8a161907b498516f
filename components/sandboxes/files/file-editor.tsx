'use client';

import { useQuery } from '@tanstack/react-query';
import { X } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/client/api';
import type { FileEntry } from '@/lib/client/sandbox-types';
import { type FileSource, looksBinary, MAX_EDIT_BYTES, readBlob, writeFile } from './file-io';

/** Opens a text file; edits and saves it when the source is writable (a snapshot's is not). */
export function FileEditor({
  src,
  entry,
  onClose,
  onSaved,
}: {
  src: FileSource;
  entry: FileEntry;
  onClose: () => void;
  onSaved?: () => void;
}) {
  const tooBig = entry.size > MAX_EDIT_BYTES;
  const content = useQuery({
    queryKey: ['file-content', src.base, entry.path, entry.mtime],
    queryFn: async () => (await readBlob(src, entry.path)).text(),
    enabled: !tooBig,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [draft, setDraft] = React.useState<string | null>(null);
  const [saving, setSaving] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const binary = content.data !== undefined && looksBinary(content.data);
  const text = draft ?? content.data ?? '';
  const dirty = draft !== null && draft !== content.data;

  async function save() {
    setSaving(true);
    setError(null);
    try {
      await writeFile(src, entry.path, text);
      toast.success(`Saved ${entry.name}`);
      setDraft(null);
      await content.refetch();
      onSaved?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section aria-label={`File ${entry.name}`} className="grid gap-2 border-t border-zinc-200 p-4">
      <div className="flex items-center gap-2">
        <h3 className="min-w-0 flex-1 truncate font-mono text-sm font-medium text-zinc-900">{entry.path}</h3>
        {src.writable && !binary && !tooBig ? (
          <Button size="sm" onClick={save} pending={saving} disabled={!dirty}>
            Save
          </Button>
        ) : null}
        <Button size="icon" variant="ghost" onClick={onClose} aria-label="Close file">
          <X />
        </Button>
      </div>
      <FormError message={error ?? (content.isError ? errorMessage(content.error) : null)} />
      {tooBig ? (
        <p className="text-sm text-zinc-500">This file is too large to show here; download it instead.</p>
      ) : null}
      {content.isPending && !tooBig ? <Spinner label="Loading file" /> : null}
      {binary ? <p className="text-sm text-zinc-500">This looks like a binary file; download it instead.</p> : null}
      {content.data !== undefined && !binary ? (
        <textarea
          aria-label="File contents"
          data-testid="file-editor"
          value={text}
          readOnly={!src.writable}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if ((e.metaKey || e.ctrlKey) && e.key === 's' && src.writable) {
              e.preventDefault();
              if (dirty) void save();
            }
          }}
          spellCheck={false}
          className="h-80 w-full resize-y rounded-md border border-zinc-300 bg-zinc-50 p-3 font-mono text-xs text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/30"
        />
      ) : null}
    </section>
  );
}
