/**
 * Sandbox names, usable wherever an id is (`/api/v1/sandboxes/:idOrName`). The rule that keeps
 * the two apart: an id is always exactly 20 lowercase letters and digits (lib/ids.ts), and a name
 * may be anything of the name form except that shape. So a path segment of 20 lowercase letters
 * and digits is an id, and anything else is a name: no lookup is ever ambiguous, and a name can
 * never shadow (or be shadowed by) a sandbox's id.
 */
export const SANDBOX_ID_SHAPE = /^[a-z0-9]{20}$/;
/** DNS-label-like: 1–63 lowercase letters, digits and hyphens, no hyphen first or last. */
export const SANDBOX_NAME_SHAPE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function nameProblem(name: string): string | null {
  if (!SANDBOX_NAME_SHAPE.test(name)) return 'names are 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen';
  if (SANDBOX_ID_SHAPE.test(name)) return 'a name cannot be 20 letters and digits alone: that is the shape of a sandbox id (add a hyphen)';
  return null;
}

