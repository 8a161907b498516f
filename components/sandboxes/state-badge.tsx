import { Badge } from '@/components/ui/badge';
import type { SandboxState } from '@/lib/client/sandbox-types';

const TONES: Record<SandboxState, 'success' | 'warning' | 'neutral' | 'danger' | 'accent'> = {
  running: 'success',
  paused: 'warning',
  stopped: 'neutral',
  creating: 'accent',
  error: 'danger',
  deleted: 'neutral',
};

export function StateBadge({ state, reason }: { state: SandboxState; reason?: string | null }) {
  return (
    <Badge tone={TONES[state] ?? 'neutral'} title={reason ?? undefined} data-testid="sandbox-state">
      {state}
    </Badge>
  );
}

/** The lifecycle calls that make sense from each state (the API answers 409 to the others). */
export function validActions(state: SandboxState): Array<'start' | 'stop' | 'pause' | 'resume'> {
  switch (state) {
    case 'running':
      return ['pause', 'stop'];
    case 'paused':
      return ['resume', 'stop'];
    case 'stopped':
      return ['start'];
    default:
      return [];
  }
}
