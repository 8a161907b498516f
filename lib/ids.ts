import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random id of lowercase letters and digits. Sandbox ids end up in preview host names,
 * so every id we mint is a valid DNS label; 20 chars of base36 is ~103 bits.
 */
export function newId(length = 20): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 252) out += ALPHABET[b % 36]; // 252 = 7*36: rejection sampling keeps it uniform
  }
  return out.length === length ? out : newId(length);
}

/** A URL-safe random secret (tokens, keys). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
