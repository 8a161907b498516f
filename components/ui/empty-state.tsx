import type { LucideIcon } from 'lucide-react';
import type * as React from 'react';
import { cn } from './cn';

/** Says what is missing and what to do next; `action` is usually a button or a link. */
export function EmptyState({
  icon: Icon,
  title,
  description,
  action,
  className,
}: {
  icon?: LucideIcon;
  title: string;
  description?: React.ReactNode;
  action?: React.ReactNode;
  className?: string;
}) {
  return (
    <div className={cn('flex flex-col items-center justify-center gap-3 px-6 py-14 text-center', className)}>
      {Icon ? (
        <div className="flex size-10 items-center justify-center rounded-full bg-zinc-100">
          <Icon className="size-5 text-zinc-500" aria-hidden />
        </div>
      ) : null}
      <div className="grid max-w-md gap-1">
        <h3 className="text-sm font-semibold text-zinc-900">{title}</h3>
        {description ? <div className="text-sm text-zinc-500">{description}</div> : null}
      </div>
      {action ? <div className="mt-1">{action}</div> : null}
    </div>
  );
}
