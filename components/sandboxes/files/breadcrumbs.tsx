import { ChevronRight, HardDrive } from 'lucide-react';

/** `/home/user/app` as clickable segments; the root is its own crumb. */
export function Breadcrumbs({ path, onOpen }: { path: string; onOpen: (path: string) => void }) {
  const parts = path.split('/').filter(Boolean);
  return (
    <nav aria-label="Folder" className="flex min-w-0 flex-wrap items-center gap-0.5 font-mono text-xs">
      <button
        type="button"
        onClick={() => onOpen('/')}
        className="rounded px-1 py-0.5 text-zinc-600 hover:bg-zinc-100"
        aria-label="Root folder"
      >
        <HardDrive className="size-3.5" />
      </button>
      {parts.map((p, i) => {
        const to = `/${parts.slice(0, i + 1).join('/')}`;
        const last = i === parts.length - 1;
        return (
          <span key={to} className="flex items-center gap-0.5">
            <ChevronRight className="size-3 text-zinc-400" aria-hidden />
            <button
              type="button"
              onClick={() => onOpen(to)}
              aria-current={last ? 'page' : undefined}
              className={
                last
                  ? 'rounded px-1 py-0.5 font-semibold text-zinc-900'
                  : 'rounded px-1 py-0.5 text-zinc-600 hover:bg-zinc-100'
              }
            >
              {p}
            </button>
          </span>
        );
      })}
    </nav>
  );
}
