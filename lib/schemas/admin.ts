import { z } from 'zod';
import { text } from './common';

export const adminOrgsQuery = z.strictObject({
  cursor: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: text(100).optional(),
});

/** GET /api/admin/usage: orgs by cost this month, a page at a time (offset: the order moves as costs grow). */
export const adminUsageQuery = z.strictObject({
  q: text(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type AdminUsageQuery = z.infer<typeof adminUsageQuery>;

/** GET /api/admin/mail: the outbox, newest first, keyset-paged. */
export const adminMailQuery = z.strictObject({
  cursor: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  status: z.enum(['outbox', 'queued', 'sent', 'failed']).optional(),
});
