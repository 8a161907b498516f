import type { Role } from '@/lib/auth/permissions';

/** Response shapes of the console's HTTP API, as the browser sees them (dates are ISO strings). */
export type Member = { userId: string; email: string; name: string | null; role: Role; joinedAt: string };
export type Invitation = { id: string; role: Role; email: string | null; expiresAt: string; createdAt: string };
export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
export type AuditEvent = {
  id: string;
  action: string;
  actor: { type: 'user' | 'api_key' | 'system'; label: string };
  target: { type: string; id: string } | null;
  data: Record<string, unknown> | null;
  createdAt: string;
};
export type AdminOrg = {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  createdAt: string;
  memberCount: number;
};
export type InvitationPreview = {
  org: { slug: string; name: string };
  role: Role;
  email: string | null;
  expiresAt: string;
};
export type AdminOrgUsage = {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  costMicros: number;
  vcpuHours: number;
  runningSandboxes: number;
};
export type AdminUsage = {
  from: string;
  to: string;
  totals: { costMicros: number; vcpuHours: number; runningSandboxes: number };
  orgs: AdminOrgUsage[];
  nextOffset: number | null;
};
/** What happened to an e-mail: delivered, retrying, refused for good, or kept in the outbox (no SMTP). */
export type MailStatus = 'sent' | 'queued' | 'failed' | 'outbox';
export type AdminMail = {
  id: string;
  to: string;
  subject: string;
  kind: string;
  orgId: string | null;
  status: MailStatus;
  attempts: number;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
};
export type AdminMailDetail = AdminMail & { text: string; html: string | null };
