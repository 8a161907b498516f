import { cn } from '@/components/ui/cn';
import type { TerminalStatus } from './terminal-types';

const STYLES: Record<TerminalStatus, { label: string; dot: string }> = {
  connecting: { label: 'Connecting', dot: 'bg-amber-400 animate-pulse' },
  connected: { label: 'Connected', dot: 'bg-emerald-400' },
  reconnecting: { label: 'Reconnecting', dot: 'bg-amber-400 animate-pulse' },
  ended: { label: 'Session ended', dot: 'bg-zinc-400' },
  failed: { label: 'Disconnected', dot: 'bg-red-500' },
};

export function TerminalStatusPill({
  status,
  readOnly,
  className,
}: {
  status: TerminalStatus;
  readOnly?: boolean;
  className?: string;
}) {
  const s = STYLES[status];
  return (
    <span
      data-testid="terminal-status"
      data-status={status}
      role="status"
      aria-live="polite"
      className={cn(
        'inline-flex items-center gap-1.5 rounded-full bg-zinc-800 px-2.5 py-0.5 text-xs text-zinc-200',
        className,
      )}
    >
      <span className={cn('size-1.5 rounded-full', s.dot)} aria-hidden />
      {s.label}
      {readOnly && status === 'connected' ? <span className="text-zinc-400">· read-only</span> : null}
    </span>
  );
}
