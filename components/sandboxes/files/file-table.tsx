'use client';

import { Download, File, FileSymlink, Folder, Trash2 } from 'lucide-react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { errorMessage } from '@/lib/client/api';
import { formatDateTime } from '@/lib/client/format';
import { formatBytes } from '@/lib/client/sandbox-format';
import type { FileEntry } from '@/lib/client/sandbox-types';
import { download, type FileSource, parentOf } from './file-io';

export function FileTable({
  src,
  path,
  entries,
  onOpenDir,
  onOpenFile,
  onDelete,
  canDelete = () => true,
}: {
  src: FileSource;
  path: string;
  entries: FileEntry[];
  onOpenDir: (path: string) => void;
  onOpenFile: (entry: FileEntry) => void;
  onDelete?: (entry: FileEntry) => void;
  /** False for paths whose removal would only break the sandbox (kernel views, the OS itself). */
  canDelete?: (entry: FileEntry) => boolean;
}) {
  return (
    <Table data-testid="file-table">
      <THead>
        <TR>
          <TH>Name</TH>
          <TH className="text-right">Size</TH>
          <TH>Mode</TH>
          <TH>Modified</TH>
          <TH className="text-right">
            <span className="sr-only">Actions</span>
          </TH>
        </TR>
      </THead>
      <TBody>
        {path !== '/' ? (
          <TR>
            <TD colSpan={5}>
              <button
                type="button"
                className="font-mono text-xs text-zinc-600 hover:underline"
                onClick={() => onOpenDir(parentOf(path))}
              >
                ..
              </button>
            </TD>
          </TR>
        ) : null}
        {entries.map((e) => {
          const Icon = e.type === 'dir' ? Folder : e.type === 'symlink' ? FileSymlink : File;
          return (
            <TR key={e.path} data-testid={`file-${e.name}`}>
              <TD>
                <button
                  type="button"
                  className="flex items-center gap-2 text-left font-mono text-xs text-zinc-900 hover:underline"
                  onClick={() => (e.type === 'dir' ? onOpenDir(e.path) : e.type === 'file' ? onOpenFile(e) : undefined)}
                  title={e.target ? `→ ${e.target}` : undefined}
                >
                  <Icon className={e.type === 'dir' ? 'size-4 text-indigo-500' : 'size-4 text-zinc-400'} aria-hidden />
                  {e.name}
                  {e.type === 'dir' ? '/' : ''}
                </button>
              </TD>
              <TD className="text-right whitespace-nowrap text-zinc-500">
                {e.type === 'file' ? formatBytes(e.size) : '—'}
              </TD>
              <TD className="font-mono text-xs text-zinc-500">{e.mode}</TD>
              <TD className="whitespace-nowrap text-zinc-500">{formatDateTime(e.mtime)}</TD>
              <TD className="text-right whitespace-nowrap">
                {e.type === 'file' ? (
                  <Button
                    variant="ghost"
                    size="icon"
                    aria-label={`Download ${e.name}`}
                    onClick={() => download(src, e).catch((err) => toast.error(errorMessage(err)))}
                  >
                    <Download />
                  </Button>
                ) : null}
                {onDelete && canDelete(e) ? (
                  <Button variant="ghost" size="icon" aria-label={`Delete ${e.name}`} onClick={() => onDelete(e)}>
                    <Trash2 />
                  </Button>
                ) : null}
              </TD>
            </TR>
          );
        })}
      </TBody>
    </Table>
  );
}
