import { z } from 'zod';
import { text } from './common';

/**
 * Secret requests. No message here ever quotes the input: a refused value must not come back in
 * an error (or a log line, or an idempotency record).
 */
export const SECRET_NAME_RE = /^[A-Z_][A-Z0-9_]{0,127}$/;
export const secretName = z
  .string()
  .regex(SECRET_NAME_RE, 'secret names are 1–128 characters of A–Z, 0–9 and _, not starting with a digit (like OPENAI_API_KEY)');

export const MAX_SECRET_BYTES = 64 * 1024;
const secretValue = z
  .string()
  .min(1, 'the value must not be empty')
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_SECRET_BYTES, 'the value is larger than 64 KiB')
  .refine((v) => !v.includes('\0'), 'the value must not contain NUL bytes')
  .refine((v) => !/\p{Cs}/u.test(v), 'the value must be valid Unicode text');

/** Host names (`api.openai.com`) or one level of wildcard (`*.example.com`); never addresses. */
const secretHost = z
  .string()
  .max(253, 'host names are at most 253 characters')
  .transform((h) => h.trim().toLowerCase().replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, 'hosts are names such as api.openai.com or *.example.com')
      .refine((h) => !/^[\d.]+$/.test(h), 'hosts are names, not IP addresses'),
  );
const hosts = z
  .array(secretHost)
  .max(32, 'at most 32 hosts')
  .transform((h) => [...new Set(h)]);

/** An egress-only value goes into HTTP headers: one line of printable ASCII, 8–8192 characters. */
export const EGRESS_VALUE_RE = /^[\x20-\x7e]{8,8192}$/;
const egressValueOk = (value: string | undefined, h: string[] | undefined) => !value || !h?.length || EGRESS_VALUE_RE.test(value);
const EGRESS_VALUE_MESSAGE =
  'a secret with allowed hosts goes into HTTP headers: its value must be 8–8192 printable ASCII characters on one line';

export const createSecretBody = z
  .strictObject({
    name: secretName,
    value: secretValue,
    description: text(1000).optional(),
    hosts: hosts.optional(),
  })
  .refine((b) => egressValueOk(b.value, b.hosts), { message: EGRESS_VALUE_MESSAGE, path: ['value'] });
export type CreateSecretBody = z.infer<typeof createSecretBody>;

/** Replaces the value, or the metadata, or both; the name is the secret's identity. */
export const updateSecretBody = z
  .strictObject({
    value: secretValue.optional(),
    description: text(1000).optional(),
    hosts: hosts.optional(),
  })
  .refine((b) => b.value !== undefined || b.description !== undefined || b.hosts !== undefined, 'give a value, a description or hosts');
export type UpdateSecretBody = z.infer<typeof updateSecretBody>;

/** Names of secrets a sandbox (or a demo link's sandboxes) gets. */
export const secretNames = z
  .array(z.string().regex(SECRET_NAME_RE, 'secrets are names of the org’s secrets (like OPENAI_API_KEY)'))
  .max(32, 'at most 32 secrets per sandbox')
  .refine((n) => new Set(n).size === n.length, 'each secret at most once');

export { EGRESS_VALUE_MESSAGE };
