import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { email, role, text } from './common';

export const changeRoleBody = z.strictObject({ role });

export const createInvitationBody = z.strictObject({
  role,
  email: email.optional(),
  expiresInDays: z.number().int().min(1).max(30).optional(),
});

export const tokenQuery = z.strictObject({ token: text(200).min(10) });
export const acceptInvitationBody = z.strictObject({ token: text(200).min(10) });

/** Path ids are ours (lowercase base36); anything else cannot exist, so it is a 404 early. */
export const idParam = z.string().regex(/^[a-z0-9]{1,40}$/);

/** Reads an id path segment; a malformed one is answered like an unknown one. */
export function pathId(params: Record<string, string>, key: string, what: string): string {
  const r = idParam.safeParse(params[key]);
  if (!r.success) throw new AppError('not_found', `${what} not found`);
  return r.data;
}
