import { createHash, randomBytes } from 'node:crypto';

/**
 * `wrn_` + 40 base62 characters (~238 bits). Base62 so a double-click selects the whole key.
 * The database keeps the first 12 characters (to show which key it is), the last 4, and the
 * SHA-256: a fast hash is right here because the key is random, not a guessable password.
 */
export const KEY_PREFIX = 'wrn_';
const BODY_LENGTH = 40;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * E2B-format keys (`e2b_` + 40 lowercase hex, 160 bits) exist so the official e2b clients accept
 * them without flags (2.45 checks `^e2b_[0-9a-f]+$`). Underneath they are ordinary keys: the
 * same table, hash, scopes, expiry and revocation; only the spelling differs.
 */
export const E2B_KEY_PREFIX = 'e2b_';
export const KEY_RE = /^(wrn_[A-Za-z0-9]{40}|e2b_[0-9a-f]{40})$/;
export type KeyFormat = 'warren' | 'e2b';

export function newApiKey(format: KeyFormat = 'warren'): string {
  if (format === 'e2b') return E2B_KEY_PREFIX + randomBytes(20).toString('hex');
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const b of randomBytes(64)) {
      if (b < 248 && body.length < BODY_LENGTH) body += BASE62[b % 62]; // 248 = 4*62: unbiased
    }
  }
  return KEY_PREFIX + body;
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function keyParts(key: string) {
  return { prefix: key.slice(0, 12), last4: key.slice(-4), hash: hashApiKey(key) };
}
