'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FolderOpen, FolderPlus, Upload } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryStates } from '@/components/ui/query-states';
import { errorMessage } from '@/lib/client/api';
import type { FileEntry } from '@/lib/client/sandbox-types';
import { Breadcrumbs } from './breadcrumbs';
import { FileEditor } from './file-editor';
import { type FileSource, joinPath, listDir, removePath, writeFile } from './file-io';
import { FileTable } from './file-table';
import { NewFolderDialog } from './new-folder-dialog';
import { isSystemPath } from './system-paths';

/** Breadcrumbs + listing + text viewer; upload (button or drop), new folder and delete when writable. */
export function FileBrowser({ src, initialPath = '/home/user' }: { src: FileSource; initialPath?: string }) {
  const qc = useQueryClient();
  const [path, setPath] = React.useState(initialPath);
  const [open, setOpen] = React.useState<FileEntry | null>(null);
  const [deleting, setDeleting] = React.useState<FileEntry | null>(null);
  const [newFolder, setNewFolder] = React.useState(false);
  const [uploading, setUploading] = React.useState(false);
  const [dragging, setDragging] = React.useState(false);
  const fileInput = React.useRef<HTMLInputElement>(null);
  const key = ['files', src.base, path];
  const list = useQuery({ queryKey: key, queryFn: ({ signal }) => listDir(src, path, signal) });
  const refresh = () => qc.invalidateQueries({ queryKey: ['files', src.base] });

  function go(next: string) {
    setPath(next);
    setOpen(null);
  }

  async function upload(list: FileList | File[]) {
    // Copied first: the input is cleared right after this is called, which empties its live FileList.
    const files = Array.from(list);
    if (!src.writable || files.length === 0) return;
    setUploading(true);
    try {
      for (const f of files) await writeFile(src, joinPath(path, f.name), f);
      toast.success(files.length === 1 ? `Uploaded ${files[0]!.name}` : `Uploaded ${files.length} files`);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setUploading(false);
      await refresh();
    }
  }

  const entries = [...(list.data?.entries ?? [])].sort((a, b) =>
    a.type === 'dir' && b.type !== 'dir' ? -1 : b.type === 'dir' && a.type !== 'dir' ? 1 : a.name.localeCompare(b.name),
  );

  return (
    // A drop zone: the upload button is the keyboard path, dropping is a shortcut.
    <section
      aria-label="Files"
      data-testid="file-browser"
      className={cn('rounded-lg border border-zinc-200 bg-white shadow-sm', dragging && 'ring-2 ring-indigo-500')}
      onDragOver={(e) => {
        if (!src.writable || !e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        if (!src.writable) return;
        e.preventDefault();
        setDragging(false);
        void upload(e.dataTransfer.files);
      }}
    >
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-4 py-2.5">
        <Breadcrumbs path={path} onOpen={go} />
        {src.writable ? (
          <div className="ml-auto flex gap-2">
            <Button size="sm" variant="outline" onClick={() => setNewFolder(true)}>
              <FolderPlus /> New folder
            </Button>
            <Button size="sm" variant="outline" onClick={() => fileInput.current?.click()} pending={uploading}>
              {uploading ? null : <Upload />} Upload
            </Button>
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              data-testid="upload-input"
              onChange={(e) => {
                if (e.target.files) void upload(e.target.files);
                e.target.value = '';
              }}
            />
          </div>
        ) : null}
      </div>
      {dragging ? <p className="bg-indigo-50 px-4 py-2 text-sm text-indigo-700">Drop to upload into {path}</p> : null}
      <QueryStates query={list} columns={4} />
      {list.data && entries.length === 0 ? (
        <EmptyState
          icon={FolderOpen}
          title="This folder is empty"
          description={src.writable ? 'Upload files with the button or drop them here.' : undefined}
        />
      ) : null}
      {entries.length > 0 ? (
        <FileTable
          src={src}
          path={path}
          entries={entries}
          onOpenDir={go}
          onOpenFile={setOpen}
          onDelete={src.writable ? setDeleting : undefined}
          canDelete={(entry) => !isSystemPath(entry.path)}
        />
      ) : null}
      {open ? (
        <FileEditor
          key={open.path}
          src={src}
          entry={open}
          onClose={() => setOpen(null)}
          onSaved={() => void refresh()}
        />
      ) : null}
      <NewFolderDialog
        src={src}
        dir={path}
        open={newFolder}
        onOpenChange={setNewFolder}
        onCreated={() => void refresh()}
      />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={deleting?.type === 'dir' ? 'Delete folder' : 'Delete file'}
        description={
          <>
            Deletes <code className="font-mono">{deleting?.path}</code>
            {deleting?.type === 'dir' ? ' and everything in it' : ''}. This cannot be undone.
          </>
        }
        confirmLabel="Delete"
        onConfirm={async () => {
          if (!deleting) return;
          await removePath(src, deleting.path, deleting.type === 'dir');
          if (open?.path === deleting.path) setOpen(null);
          toast.success(`Deleted ${deleting.name}`);
          await refresh();
        }}
      />
    </section>
  );
}
