import { sql } from 'drizzle-orm';
import { schema } from '@/db';

const { orgs, plans, orgSandboxLimits } = schema;

/**
 * What the API gate needs of an org (./org-gate-cache.ts's OrgGate), as columns of a select that
 * joins `plans` and `org_sandbox_limits` to `orgs`: the gate's own read and the API key's lookup
 * (lib/auth/api-key-auth.ts, which fills the gate's memo) use the same definition.
 */
export const orgGateColumns = {
  suspendedAt: orgs.suspendedAt,
  suspendedReason: orgs.suspendedReason,
  rpm: sql<number | null>`coalesce(${orgSandboxLimits.apiRequestsPerMinute}, ${plans.apiRequestsPerMinute})`,
};
