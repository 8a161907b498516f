import { z } from 'zod';
import { displayName, role } from './common';

export const createApiKeyBody = z.strictObject({
  name: displayName(100),
  role: role.optional(),
  expiresInDays: z.number().int().min(1).max(365).nullable().optional(),
});
