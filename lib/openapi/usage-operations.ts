import { z } from 'zod';
import { usageQuery } from '@/lib/schemas/usage';
import type { DocOperation } from './sandbox-operations';

const amounts = {
  costMicros: z.number().int().describe('Micro-dollars (1,000,000 = $1), rounded down per metered period'),
  vcpuHours: z.number(),
  memoryGibHours: z.number(),
  pausedGibHours: z.number(),
  storageGibHours: z.number(),
  activeCpuHours: z.number().describe('CPU time actually used, shown beside the allocation'),
};
const kinds = z.object({ compute: z.number().int(), paused: z.number().int(), storage: z.number().int(), active_cpu: z.number().int() });

export const usageResponse = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['hour', 'day', 'month']),
  groupBy: z.string(),
  currency: z.literal('usd'),
  totals: z.object({ ...amounts, costByKind: kinds }),
  series: z.array(z.object({ bucket: z.string(), group: z.string(), ...amounts })),
  groups: z.array(
    z.object({
      group: z.string(),
      ...amounts,
      sandbox: z.object({ id: z.string(), state: z.string(), template: z.string(), metadata: z.record(z.string(), z.string()), deleted: z.boolean() }).optional(),
    }),
  ),
  burnRateMicrosPerHour: z.number().int(),
});

export const sandboxUsageResponse = usageResponse.extend({ sandboxId: z.string(), deleted: z.boolean() });

export const usageOperations: DocOperation[] = [
  {
    method: 'get',
    path: '/usage',
    summary: 'Metered usage and cost by hour/day/month, grouped by kind, sandbox, template or metadata.<key>; format=csv for CSV',
    permission: 'usage:read',
    query: usageQuery,
    response: usageResponse,
  },
  { method: 'get', path: '/sandboxes/{id}/usage', summary: 'One sandbox’s usage and cost since it was created (deleted ones too)', permission: 'usage:read', response: sandboxUsageResponse },
];
