import { z } from 'zod';

export const adminOrgsQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: z.string().max(100).optional(),
});
