import { ApiError, api } from '@/lib/client/api';
import type { FileEntry } from '@/lib/client/sandbox-types';

/**
 * File calls shared by a sandbox's Files tab and a snapshot's read-only browser: both APIs
 * answer `{base}/files?path=` and `{base}/files/content?path=`. Bytes go through fetch (not a
 * plain link) because the console's session calls name their org in a header.
 */
export type FileSource = { base: string; org: string; writable: boolean };

const q = (path: string) => `path=${encodeURIComponent(path)}`;

export function listDir(src: FileSource, path: string, signal?: AbortSignal) {
  return api<{ path: string; entries: FileEntry[] }>(`${src.base}/files?${q(path)}`, { org: src.org, signal });
}

async function raw(url: string, init: RequestInit & { org: string }): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { ...init.headers, 'x-warren-org': init.org },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the console. Check your connection and try again.');
  }
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(
      res.status,
      data?.error?.code ?? 'http_error',
      data?.error?.message ?? `The request failed (${res.status})`,
    );
  }
  return res;
}

export async function readBlob(src: FileSource, path: string): Promise<Blob> {
  return (await raw(`${src.base}/files/content?${q(path)}`, { org: src.org })).blob();
}

export async function writeFile(src: FileSource, path: string, body: Blob | string): Promise<void> {
  await raw(`${src.base}/files/content?${q(path)}`, { org: src.org, method: 'PUT', body });
}

export function makeDir(src: FileSource, path: string) {
  return api(`${src.base}/files/mkdir`, { method: 'POST', org: src.org, body: { path } });
}

export function removePath(src: FileSource, path: string, recursive: boolean) {
  return api(`${src.base}/files?${q(path)}${recursive ? '&recursive=1' : ''}`, { method: 'DELETE', org: src.org });
}

export async function download(src: FileSource, entry: FileEntry): Promise<void> {
  const url = URL.createObjectURL(await readBlob(src, entry.path));
  const a = document.createElement('a');
  a.href = url;
  a.download = entry.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

export function parentOf(path: string): string {
  const p = path.replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** Text the editor may open: small and without NUL bytes. */
export const MAX_EDIT_BYTES = 1024 * 1024;
export function looksBinary(text: string): boolean {
  return text.includes('\0');
}
