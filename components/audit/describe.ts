import type { AuditEvent } from '@/lib/client/types';

/** Plain-language labels for the actions the services record; unknown ones show their code. */
const ACTIONS: Record<string, string> = {
  'user.sign_up': 'Signed up',
  'org.create': 'Created the organization',
  'org.update': 'Changed organization settings',
  'org.delete': 'Deleted the organization',
  'invitation.create': 'Created an invitation',
  'invitation.revoke': 'Revoked an invitation',
  'invitation.accept': 'Joined by invitation',
  'member.role_change': 'Changed a member’s role',
  'member.remove': 'Removed a member',
  'member.leave': 'Left the organization',
  'api_key.create': 'Created an API key',
  'api_key.revoke': 'Revoked an API key',
  'admin.create': 'Created a platform admin',
  'admin.promote': 'Made someone a platform admin',
  'user.password_reset': 'Reset a password',
  'org.suspend': 'Suspended the organization',
  'org.unsuspend': 'Lifted the suspension',
  'billing.credit.grant': 'Granted credit',
  'billing.plan.change': 'Changed the plan',
  'billing.limits.override': 'Changed quota overrides',
  'billing.spend.update': 'Changed the spend limit or alert',
  'sandbox.create': 'Created a sandbox',
  'sandbox.start': 'Started a sandbox',
  'sandbox.pause': 'Paused a sandbox',
  'sandbox.resume': 'Resumed a sandbox',
  'sandbox.stop': 'Stopped a sandbox',
  'sandbox.delete': 'Deleted a sandbox',
  'sandbox.delete_failed': 'A sandbox delete failed (the sandbox was kept)',
  'sandbox.timeout': 'Changed a sandbox’s timeout',
  'sandbox.port.expose': 'Exposed a port',
  'sandbox.port.update': 'Changed a port’s access',
  'sandbox.port.unexpose': 'Closed a port',
  'snapshot.create': 'Took a snapshot',
  'snapshot.delete': 'Deleted a snapshot',
  'snapshot.delete_failed': 'A snapshot delete failed (the snapshot was kept)',
  'secret.create': 'Created a secret',
  'secret.update': 'Changed a secret',
  'secret.delete': 'Deleted a secret',
  'secret.use': 'Used a secret in a sandbox',
  'share.create': 'Shared a sandbox',
  'share.revoke': 'Revoked a share link',
  'billing.checkout.create': 'Opened checkout',
  'billing.portal.open': 'Opened the billing portal',
  'org.two_factor_policy': 'Changed the two-factor requirement',
};

/** Every action with a label, for the filter's choices. */
export const KNOWN_ACTIONS = Object.keys(ACTIONS).sort();

/** The families (`sandbox.*`) the filter offers as "all sandbox actions". */
export const ACTION_FAMILIES = [...new Set(KNOWN_ACTIONS.map((a) => a.split('.')[0]!))].sort();

/** The plain-language label, or null for an action without one (the code alone is shown then). */
export function describeAction(action: string): string | null {
  return ACTIONS[action] ?? null;
}

/** Where a target lives in the console, for the log's links; null for targets without a page. */
export function targetHref(slug: string, target: { type: string; id: string } | null): string | null {
  if (!target) return null;
  const id = encodeURIComponent(target.id);
  switch (target.type) {
    case 'sandbox':
      return `/${slug}/sandboxes/${id}`;
    case 'snapshot':
      return `/${slug}/snapshots?q=${id}`;
    case 'api_key':
      return `/${slug}/keys`;
    case 'user':
    case 'invitation':
      return `/${slug}/members`;
    case 'secret':
      return `/${slug}/secrets`;
    case 'org':
      return `/${slug}/settings`;
    case 'credit_grant':
    case 'invoice':
    case 'plan':
    case 'checkout_session':
    case 'stripe_subscription':
      return `/${slug}/billing`;
    default:
      return null;
  }
}

/** A one-line summary of the event's data: `name: ci, role: developer`. Rendered as text, never as HTML. */
export function summarizeData(e: AuditEvent): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e.data ?? {})) {
    if (v === null || v === undefined) continue;
    if (v && typeof v === 'object' && 'from' in v && 'to' in v) parts.push(`${k}: ${String(v.from)} → ${String(v.to)}`);
    else parts.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  if (parts.length === 0 && e.target) parts.push(`${e.target.type} ${e.target.id}`);
  return parts.join(', ');
}
