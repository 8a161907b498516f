import { z } from 'zod';
import { SANDBOX_LIST_STATES } from './sandboxes';
import { label, text } from './common';

const limit = z.coerce.number().int().min(1).max(100).optional();
const cursor = text(200).optional();

/** GET /api/admin/orgs: the tenants list. Sorting by cost pages by offset (the order moves as costs grow). */
export const adminOrgsQuery = z.strictObject({
  cursor,
  limit,
  q: text(100).optional(),
  sort: z.enum(['created', 'name', 'cost', 'members']).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  status: z.enum(['active', 'suspended', 'on_hold']).optional(),
});
export type AdminOrgsQuery = z.infer<typeof adminOrgsQuery>;

/** GET /api/admin/usage: orgs by cost this month, a page at a time (offset: the order moves as costs grow). */
export const adminUsageQuery = z.strictObject({
  q: text(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type AdminUsageQuery = z.infer<typeof adminUsageQuery>;

/** GET /api/admin/mail: the outbox, newest first, keyset-paged. */
export const adminMailQuery = z.strictObject({
  cursor,
  limit,
  status: z.enum(['outbox', 'queued', 'sent', 'failed']).optional(),
});

/** GET /api/admin/orgs/:id/audit: the org's audit log, newest first. */
export const adminAuditQuery = z.strictObject({ cursor, limit });

/** GET /api/admin/users: search by e-mail or name. */
export const adminUsersQuery = z.strictObject({
  cursor,
  limit,
  q: text(100).optional(),
  filter: z.enum(['admins', 'disabled', 'active']).optional(),
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuery>;

export const setPlatformAdminBody = z.strictObject({ isPlatformAdmin: z.boolean() });
export const disableUserBody = z.strictObject({ reason: label(500) });

const SLUG_OR_ID = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;

/** GET /api/admin/sandboxes: every org's live sandboxes, newest first. */
export const adminSandboxesQuery = z.strictObject({
  cursor,
  limit,
  state: z.enum(SANDBOX_LIST_STATES).optional(),
  /** The org's id or its URL name. */
  org: z.string().regex(SLUG_OR_ID, 'org is an organization id or URL name').optional(),
  runner: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'runner is a runner id').optional(),
});
export type AdminSandboxesQuery = z.infer<typeof adminSandboxesQuery>;

/** GET /api/admin/revenue: one calendar month (UTC), this month by default. */
export const adminRevenueQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month is YYYY-MM, e.g. 2026-11')
    .refine((m) => Number(m.slice(0, 4)) >= 2000 && Number(m.slice(0, 4)) <= 2100, 'month must be between 2000 and 2100')
    .optional(),
});
