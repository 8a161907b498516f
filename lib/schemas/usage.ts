import { z } from 'zod';

const MAX_RANGE_DAYS = 400;
const DAY = 86_400_000;

const instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}/.test(s), 'Use an ISO 8601 date or date-time, e.g. 2026-12-01 or 2026-12-01T10:00:00Z')
  .transform((s) => new Date(s));

/** `metadata.<key>`: keys as sandbox metadata allows them. */
const groupBy = z.union([
  z.enum(['kind', 'sandbox', 'template', 'isolation']),
  z.string().regex(/^metadata\.[A-Za-z0-9_.-]{1,64}$/, 'Group by kind, sandbox, template, isolation or metadata.<key>'),
]);

const startOfMonth = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
/** Usage is kept per hour: a range is widened to whole hours. */
const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
const ceilHour = (d: Date) => new Date(Math.ceil(d.getTime() / 3_600_000) * 3_600_000);

/**
 * GET /api/v1/usage: `from`/`to` (default: this month so far), `granularity` (hour, day, month),
 * `groupBy` (kind, sandbox, template, isolation, metadata.<key>), `format` (json, csv).
 */
export const usageQuery = z
  .strictObject({
    from: instant.optional(),
    to: instant.optional(),
    granularity: z.enum(['hour', 'day', 'month']).default('day'),
    groupBy: groupBy.default('kind'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .transform((q, ctx) => {
    const now = new Date();
    const to = ceilHour(q.to ?? now);
    const from = floorHour(q.from ?? startOfMonth(now));
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: '`from` must be before `to`' });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) ctx.addIssue({ code: 'custom', path: ['to'], message: `A range spans at most ${MAX_RANGE_DAYS} days` });
    if (q.granularity === 'hour' && to.getTime() - from.getTime() > 31 * DAY) {
      ctx.addIssue({ code: 'custom', path: ['granularity'], message: 'Hourly usage covers at most 31 days; use day or month' });
    }
    return { ...q, from, to };
  });

export type UsageQueryInput = z.input<typeof usageQuery>;
