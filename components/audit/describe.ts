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
};

export function describeAction(action: string): string {
  return ACTIONS[action] ?? action;
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
