import { z } from 'zod';
import { ROLES } from '@/lib/auth/permissions';
import { RESERVED_SLUGS, SLUG_RE } from '@/lib/orgs/slug-rules';

/**
 * Field schemas shared by request bodies and the services (the CLI calls services directly,
 * so services re-validate with these too).
 *
 * Display names use a conservative character set: letters, digits, spaces and a little
 * punctuation. Angle brackets, quotes other than the apostrophe, semicolons, slashes and
 * control characters are refused with a 400, so markup- or SQL-looking input never gets stored
 * (React escapes on output anyway and queries are parameterised; this is defence in depth).
 */
const noNul = (s: string) => !s.includes('\0');
// With the u flag a lone surrogate (half of a UTF-16 pair, e.g. JSON's "\ud800") is its own
// code point of category Cs; well-formed pairs are not.
const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

/**
 * Every free-form string the API takes goes through here. Postgres text and jsonb cannot hold a
 * NUL byte (the insert fails, which was a 500) and no argv, path or environment value can
 * either; jsonb also refuses a lone surrogate escape (metadata {"k":"\ud800"} was a 500). Both
 * are a 400 at the edge, for every field, instead of a surprise in the database.
 */
export const text = (max: number) =>
  z
    .string()
    .max(max, `At most ${max} characters`)
    .refine(noNul, 'must not contain NUL bytes')
    .refine(wellFormed, 'must be valid Unicode text (no lone surrogates)');

/** Short labels people read in the console (share labels, snapshot names): no control characters. */
export const label = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `At most ${max} characters`)
    .regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must not contain control characters or lone surrogates');

export const NAME_RE = /^[\p{L}\p{N}\p{M}][\p{L}\p{N}\p{M} .,'’&()_+!@#-]*$/u;
export const NAME_HINT = "Use letters, digits, spaces and . , ' & ( ) _ + ! @ # - only";

export const displayName = (max = 100) =>
  z
    .string()
    .trim()
    .min(1, 'Enter a name')
    .max(max, `At most ${max} characters`)
    .regex(NAME_RE, NAME_HINT);

export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(SLUG_RE, 'Use 3–40 lowercase letters, digits and hyphens, starting and ending with a letter or digit')
  .refine((s) => !RESERVED_SLUGS.has(s), 'That name is reserved; pick another');

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid e-mail address'));
export const password = text(200).min(8, 'At least 8 characters');
export const role = z.enum(ROLES);

/** Query-string pagination: limit 1–100, opaque cursor. */
export const pageQuery = z.strictObject({
  cursor: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
