import { z } from 'zod';
import { displayName, email, password, slug, text } from './common';

/** Request bodies are strict: an unknown field is a 400, never silently ignored. */
export const signUpBody = z.strictObject({ email, password, name: displayName().optional() });

export const createOrgBody = z.strictObject({ name: displayName(), slug: slug.optional() });

/** Days a stopped sandbox is kept before it is deleted; null keeps stopped sandboxes. */
export const retentionDays = z.number().int('whole days').min(1, 'at least 1 day').max(3650, 'at most 3650 days').nullable();

export const updateOrgBody = z
  .strictObject({ name: displayName().optional(), slug: slug.optional(), stoppedRetentionDays: retentionDays.optional() })
  .refine((b) => b.name !== undefined || b.slug !== undefined || b.stoppedRetentionDays !== undefined, 'Send a name, a slug or stoppedRetentionDays to change');

export const deleteOrgBody = z.strictObject({ confirm: text(100) });

/** Forgot password: the address only. The answer never says whether it has an account. */
export const passwordResetRequestBody = z.strictObject({ email });
/** The new password follows the sign-up rules. */
export const passwordResetBody = z.strictObject({ token: text(200).min(20), password });
