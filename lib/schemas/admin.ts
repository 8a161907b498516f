import { z } from 'zod';
import { text } from './common';

export const adminOrgsQuery = z.strictObject({
  cursor: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: text(100).optional(),
});
