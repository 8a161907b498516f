import { Badge } from '@/components/ui/badge';
import type { MailStatus } from '@/lib/client/types';

const LOOK: Record<MailStatus, { label: string; tone: 'success' | 'warning' | 'danger' | 'neutral' }> = {
  sent: { label: 'sent', tone: 'success' },
  queued: { label: 'retrying', tone: 'warning' },
  failed: { label: 'failed', tone: 'danger' },
  outbox: { label: 'in outbox', tone: 'neutral' },
};

export function MailStatusBadge({ status }: { status: MailStatus }) {
  return <Badge tone={LOOK[status].tone}>{LOOK[status].label}</Badge>;
}
