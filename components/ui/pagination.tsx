'use client';

import { ChevronLeft, ChevronRight } from 'lucide-react';
import { Button } from './button';

/**
 * Previous/next for cursor-paged lists: the API gives only a next cursor, so the caller keeps
 * the stack of cursors it came through (see `useCursorPages`).
 */
export function Pagination({
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  busy,
}: {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
}) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between border-t border-zinc-200 px-4 py-2.5">
      <span className="text-xs text-zinc-500">Page {page}</span>
      <div className="flex gap-2">
        <Button variant="outline" size="sm" onClick={onPrevious} disabled={!hasPrevious || busy}>
          <ChevronLeft /> Previous
        </Button>
        <Button variant="outline" size="sm" onClick={onNext} disabled={!hasNext || busy}>
          Next <ChevronRight />
        </Button>
      </div>
    </nav>
  );
}

/** Slices a fully loaded list into pages (members, keys: small lists the API returns whole). */
export function pageSlice<T>(items: T[], page: number, size: number): { rows: T[]; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(1, page), pages);
  return { rows: items.slice((p - 1) * size, p * size), pages };
}
