import { z } from 'zod';
import { displayName, email, password, slug, text } from './common';

/** Request bodies are strict: an unknown field is a 400, never silently ignored. */
export const signUpBody = z.strictObject({ email, password, name: displayName().optional() });

export const createOrgBody = z.strictObject({ name: displayName(), slug: slug.optional() });

export const updateOrgBody = z
  .strictObject({ name: displayName().optional(), slug: slug.optional() })
  .refine((b) => b.name !== undefined || b.slug !== undefined, 'Send a name or a slug to change');

export const deleteOrgBody = z.strictObject({ confirm: text(100) });
