import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Runner tokens are kept AES-256-GCM encrypted at rest, with a key derived from AUTH_SECRET
 * (which boot persists in the data dir), so a database dump alone does not hand out control
 * of the runners. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
 */
function key(): Buffer {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error('AUTH_SECRET is not set; runner tokens cannot be encrypted or read');
  return createHash('sha256').update(`warren-runner-token:${secret}`).digest();
}

export function encryptToken(token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const ct = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptToken(stored: string): string {
  const [v, iv, tag, ct] = stored.split('.');
  if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('Unrecognised runner token format');
  const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
