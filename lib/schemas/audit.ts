import { z } from 'zod';
import { pageQuery, text } from './common';

/** A day (2026-12-01) or an ISO time; a bare day as `to` means the end of that day (UTC). */
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const instant = (endOfDay: boolean) =>
  text(40)
    .trim()
    .refine((s) => DAY.test(s) || !Number.isNaN(Date.parse(s)), 'a date (YYYY-MM-DD) or an ISO 8601 time')
    .transform((s) => {
      const d = new Date(DAY.test(s) ? `${s}T00:00:00Z` : s);
      return DAY.test(s) && endOfDay ? new Date(d.getTime() + 86_400_000) : d;
    });

/** GET /api/v1/audit: the page, the filters (lib/audit/audit.ts AuditFilter) and `format=csv` for every matching event. */
export const auditQuery = pageQuery
  .extend({
    actor: text(254).trim().min(1).optional(),
    action: text(100)
      .trim()
      .regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, 'an action such as sandbox.create, or a family such as sandbox.*')
      .optional(),
    target: text(100).trim().min(1).optional(),
    from: instant(false).optional(),
    to: instant(true).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });
