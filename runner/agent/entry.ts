import { EntryTag, decodeTlvs } from './protocol';

export type FsEntryType = 'file' | 'dir' | 'symlink' | 'other';

export type FsEntry = {
  name: string;
  type: FsEntryType;
  size: number;
  /** Permission bits including setuid/setgid/sticky. */
  mode: number;
  mtime: Date;
  /** Symlink target, for symlinks. */
  target?: string;
  uid: number;
  gid: number;
};

const types: Record<string, FsEntryType> = { f: 'file', d: 'dir', l: 'symlink' };

export function decodeEntry(payload: Buffer): FsEntry {
  const t = decodeTlvs(payload);
  const str = (tag: number) => t.get(tag)?.[0]?.toString('utf8') ?? '';
  const entry: FsEntry = {
    name: str(EntryTag.NAME),
    type: types[str(EntryTag.TYPE)] ?? 'other',
    size: Number(str(EntryTag.SIZE) || 0),
    mode: Number.parseInt(str(EntryTag.MODE) || '0', 8),
    mtime: new Date(Number(str(EntryTag.MTIME) || 0)),
    uid: Number(str(EntryTag.UID) || 0),
    gid: Number(str(EntryTag.GID) || 0),
  };
  if (t.has(EntryTag.TARGET)) entry.target = str(EntryTag.TARGET);
  return entry;
}
