import type { FileEntry } from '@/lib/runner-client';

/** Warren's file entries as envd's EntryInfo messages (filesystem.proto). */
const TYPE = { file: 1, dir: 2, symlink: 3, other: 0 } as const;

function permissions(type: FileEntry['type'], mode: number): string {
  const kind = type === 'dir' ? 'd' : type === 'symlink' ? 'L' : '-';
  let s = kind;
  for (const shift of [6, 3, 0]) {
    const bits = (mode >> shift) & 7;
    s += `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  }
  return s;
}

export function entryInfo(e: FileEntry, user = 'user') {
  const mode = Number.parseInt(e.mode, 8) || 0;
  const ms = Date.parse(e.mtime) || 0;
  return {
    name: e.name,
    type: TYPE[e.type],
    path: e.path,
    size: BigInt(e.size),
    mode,
    permissions: permissions(e.type, mode),
    owner: user,
    group: user,
    modifiedTime: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
    ...(e.target !== undefined ? { symlinkTarget: e.target } : {}),
  };
}
