import { z } from 'zod';
import { displayName, role } from './common';

export const createApiKeyBody = z.strictObject({
  name: displayName(100),
  role: role.optional(),
  expiresInDays: z.number().int().min(1).max(365).nullable().optional(),
  /** `e2b` mints `e2b_…` (40 hex) for the official E2B clients; the same kind of key underneath. */
  format: z.enum(['warren', 'e2b']).optional(),
});
