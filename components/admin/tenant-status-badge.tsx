import { Badge } from '@/components/ui/badge';
import type { TenantStatus } from '@/lib/client/admin-types';

const LABEL: Record<TenantStatus, string> = { active: 'active', suspended: 'suspended', on_hold: 'on hold' };
const TONE = { active: 'success', suspended: 'danger', on_hold: 'warning' } as const;
const HOLD_REASON: Record<string, string> = { balance_exhausted: 'out of credit', spend_limit: 'spend limit reached', suspended: 'suspended' };

/** Active, suspended (by an admin) or on hold (the billing enforcer: no credit, or its spend limit), with why in the tooltip. */
export function TenantStatusBadge({ status, why }: { status: TenantStatus; why?: string | null }) {
  const title = status === 'on_hold' && why ? HOLD_REASON[why] ?? why : (why ?? undefined);
  return (
    <Badge tone={TONE[status]} title={title} data-testid="tenant-status">
      {LABEL[status]}
    </Badge>
  );
}

export const holdReasonLabel = (reason: string) => HOLD_REASON[reason] ?? reason;
