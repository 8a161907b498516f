import { cn } from '@/components/ui/cn';

/**
 * How much of a limit is used: a bar that turns amber past 80 % and red when full. Decorative
 * for screen readers (the figures beside it say the same in words); `label` is its tooltip.
 */
export function UsageBar({ used, limit, label }: { used: number; limit: number; label: string }) {
  const ratio = limit > 0 ? Math.min(1, used / limit) : used > 0 ? 1 : 0;
  const pct = Math.round(ratio * 100);
  return (
    <div
      aria-hidden
      title={`${label} (${pct}%)`}
      data-pct={pct}
      className="h-2 w-full overflow-hidden rounded-full bg-zinc-100"
    >
      <div
        className={cn('h-full rounded-full transition-[width]', ratio >= 1 ? 'bg-red-500' : ratio >= 0.8 ? 'bg-amber-500' : 'bg-indigo-500')}
        style={{ width: `${Math.max(pct, used > 0 ? 2 : 0)}%` }}
      />
    </div>
  );
}
