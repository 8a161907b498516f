'use client';

import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { errorMessage } from '@/lib/client/api';
import { type FileSource, joinPath, makeDir } from './file-io';

export function NewFolderDialog({
  src,
  dir,
  open,
  onOpenChange,
  onCreated,
}: {
  src: FileSource;
  dir: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: () => void;
}) {
  const [name, setName] = React.useState('');
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const n = name.trim();
    if (!n || n.includes('/')) {
      setError('Enter a folder name (no slashes)');
      return;
    }
    setPending(true);
    setError(null);
    try {
      await makeDir(src, joinPath(dir, n));
      toast.success(`Created ${n}`);
      setName('');
      onOpenChange(false);
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={(o) => !pending && onOpenChange(o)}>
      <DialogContent>
        <DialogHeader title="New folder" description={`Inside ${dir}`} />
        <form onSubmit={submit} className="grid gap-4">
          <Field label="Folder name" error={error ?? undefined}>
            <Input value={name} onChange={(e) => setName(e.target.value)} autoFocus autoComplete="off" />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" pending={pending}>
              Create folder
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
