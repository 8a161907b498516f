'use client';

import * as React from 'react';
import { cn } from '@/components/ui/cn';

type Props = Omit<React.ComponentProps<'textarea'>, 'value' | 'onChange'> & {
  value: string;
  onChange: (value: string) => void;
  /** A line the API refused (1-based): marked in the gutter and selected when it changes. */
  errorLine?: number | null;
  /** Ctrl/⌘+Enter: submit without leaving the keyboard. */
  onSubmitShortcut?: () => void;
};

/**
 * A Dockerfile textarea with line numbers. Tab is left to move focus (a textarea that traps Tab
 * strands keyboard users); Ctrl/⌘+Enter submits. A refused line is marked in the gutter and the
 * caret is put on it, so the fix starts where the error is.
 */
export function DockerfileEditor({ value, onChange, errorLine, onSubmitShortcut, className, ...props }: Props) {
  const area = React.useRef<HTMLTextAreaElement>(null);
  const gutter = React.useRef<HTMLDivElement>(null);
  const lines = Math.max(1, value.split('\n').length);

  React.useEffect(() => {
    const el = area.current;
    if (!el || !errorLine) return;
    const all = el.value.split('\n');
    const start = all.slice(0, errorLine - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (all[errorLine - 1]?.length ?? 0));
    // About where the line is (the textarea's line height is fixed by its classes).
    el.scrollTop = Math.max(0, (errorLine - 3) * 20);
  }, [errorLine]);

  return (
    <div className="flex overflow-hidden rounded-md border border-zinc-300 bg-zinc-950 focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/30 has-[[aria-invalid=true]]:border-red-500">
      <div ref={gutter} aria-hidden="true" className="select-none overflow-hidden border-r border-zinc-800 py-2 text-right font-mono text-xs leading-5 text-zinc-500">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} data-testid={errorLine === i + 1 ? 'dockerfile-error-line' : undefined} className={cn('px-2', errorLine === i + 1 && 'bg-red-900/60 text-red-200')}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        ref={area}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onSubmitShortcut) {
            e.preventDefault();
            onSubmitShortcut();
          }
        }}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        wrap="off"
        rows={12}
        className={cn('min-h-48 w-full resize-y bg-transparent px-3 py-2 font-mono text-xs leading-5 text-zinc-100 outline-none placeholder:text-zinc-500', className)}
        {...props}
      />
    </div>
  );
}
