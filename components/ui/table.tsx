import type * as React from 'react';
import { cn } from './cn';

/*
 * On a phone (below 640 px) every table turns into a list of cards: the header is kept for
 * screen readers only, and each row's cells wrap side by side (the last one, usually the row's
 * actions, to the right), so nothing scrolls sideways. Cells read on their own there (a state
 * badge, "1 vCPU · 512 MiB", "3 minutes ago"); a cell that needs its column's name passes it as
 * `label`, shown before it on phones only.
 */

export function Table({ className, ...props }: React.ComponentProps<'table'>) {
  return (
    // relative: an absolutely positioned child (an sr-only header) is otherwise placed against the
    // page, outside this scroller, and widens the whole page on a phone.
    <div className="relative w-full overflow-x-auto">
      <table className={cn('w-full caption-bottom border-collapse text-sm max-sm:block', className)} {...props} />
    </div>
  );
}

export function THead({ className, ...props }: React.ComponentProps<'thead'>) {
  return <thead className={cn('border-b border-zinc-200 bg-zinc-50/80 max-sm:sr-only', className)} {...props} />;
}

export function TBody({ className, ...props }: React.ComponentProps<'tbody'>) {
  return <tbody className={cn('divide-y divide-zinc-100 max-sm:block', className)} {...props} />;
}

export function TR({ className, ...props }: React.ComponentProps<'tr'>) {
  return (
    <tr
      className={cn(
        'hover:bg-zinc-50/60 max-sm:flex max-sm:flex-wrap max-sm:items-center max-sm:gap-x-3 max-sm:gap-y-1.5 max-sm:px-4 max-sm:py-3 max-sm:[&>td:last-child:not(:first-child)]:ml-auto',
        className,
      )}
      {...props}
    />
  );
}

export function TH({ className, ...props }: React.ComponentProps<'th'>) {
  return (
    <th
      scope="col"
      className={cn(
        'h-9 px-4 text-left align-middle text-xs font-medium tracking-wide text-zinc-500 uppercase',
        className,
      )}
      {...props}
    />
  );
}

export function TD({ className, label, children, ...props }: React.ComponentProps<'td'> & { label?: string }) {
  return (
    <td
      className={cn(
        'px-4 py-3 align-middle text-zinc-700 max-sm:block max-sm:max-w-full max-sm:min-w-0 max-sm:p-0 max-sm:break-words',
        className,
      )}
      {...props}
    >
      {label ? <span className="mr-1 text-xs text-zinc-500 sm:hidden">{label}:</span> : null}
      {children}
    </td>
  );
}
