import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { kek, keyring } from './keyring';

/**
 * Envelope encryption of secret values, as Vault's transit engine does it: each value is
 * encrypted with AES-256-GCM under its own random data key (DEK) and a random 96-bit nonce, with
 * the org and the secret's id as associated data (a ciphertext moved to another row or org does
 * not decrypt); the DEK is itself encrypted (wrapped) with AES-256-GCM under the current
 * key-encryption key (KEK), whose version is stored on the row. Rotating the KEK re-wraps DEKs;
 * the values' ciphertexts never change. Every failure — a wrong key, a changed byte anywhere —
 * is GCM's authentication failure: it fails closed, with a message that names the secret and the
 * key version and never the value.
 */
export type Sealed = { ciphertext: string; nonce: string; wrappedKey: string; keyVersion: number };

const valueAad = (orgId: string, secretId: string) => Buffer.from(`warren-secret-value:${orgId}:${secretId}`);
const dekAad = (orgId: string, secretId: string, version: number) => Buffer.from(`warren-secret-dek:v${version}:${orgId}:${secretId}`);

function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer): { nonce: Buffer; sealed: Buffer } {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const sealed = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return { nonce, sealed };
}

function gcmOpen(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (nonce.length !== 12 || sealed.length < 16) throw new Error('malformed');
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

function wrap(dek: Buffer, orgId: string, secretId: string, version: number): string {
  const { nonce, sealed } = gcmSeal(kek(version), dek, dekAad(orgId, secretId, version));
  return Buffer.concat([nonce, sealed]).toString('base64');
}

function unwrap(s: Sealed, orgId: string, secretId: string): Buffer {
  const raw = Buffer.from(s.wrappedKey, 'base64');
  return gcmOpen(kek(s.keyVersion), raw.subarray(0, 12), raw.subarray(12), dekAad(orgId, secretId, s.keyVersion));
}

export function seal(orgId: string, secretId: string, value: string): Sealed {
  const version = keyring().current;
  const dek = randomBytes(32);
  try {
    const { nonce, sealed } = gcmSeal(dek, Buffer.from(value, 'utf8'), valueAad(orgId, secretId));
    return { ciphertext: sealed.toString('base64'), nonce: nonce.toString('base64'), wrappedKey: wrap(dek, orgId, secretId, version), keyVersion: version };
  } finally {
    dek.fill(0);
  }
}

export class SecretUnreadableError extends AppError {
  constructor(name: string, version: number) {
    super(
      'secret_unreadable',
      `Secret ${name} could not be decrypted: key version ${version} does not match it or its stored value was altered. Nothing was used; check WARREN_SECRETS_KEY (or $WARREN_DATA_DIR/secrets-key), or set the secret again`,
    );
  }
}

export function open(orgId: string, secretId: string, name: string, s: Sealed): string {
  let dek: Buffer | undefined;
  try {
    dek = unwrap(s, orgId, secretId);
    return gcmOpen(dek, Buffer.from(s.nonce, 'base64'), Buffer.from(s.ciphertext, 'base64'), valueAad(orgId, secretId)).toString('utf8');
  } catch (err) {
    if (err instanceof AppError) throw err; // a key version this console does not have
    throw new SecretUnreadableError(name, s.keyVersion);
  } finally {
    dek?.fill(0);
  }
}

/** The DEK re-wrapped under `version` (key rotation); the value's own ciphertext is unchanged. */
export function rewrap(orgId: string, secretId: string, name: string, s: Sealed, version: number): Pick<Sealed, 'wrappedKey' | 'keyVersion'> {
  let dek: Buffer | undefined;
  try {
    dek = unwrap(s, orgId, secretId);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new SecretUnreadableError(name, s.keyVersion);
  }
  try {
    return { wrappedKey: wrap(dek, orgId, secretId, version), keyVersion: version };
  } finally {
    dek.fill(0);
  }
}

/**
 * What the API shows instead of a value: an HMAC of it under a key derived from the current KEK
 * (so, unlike a plain hash, nobody without the key can test guesses against it — a viewer of
 * fingerprints cannot brute-force a short password), 64 bits in hex. It changes when the value
 * does; a key rotation recomputes it.
 */
export function fingerprint(orgId: string, value: string, version = keyring().current): string {
  const key = Buffer.from(hkdfSync('sha256', kek(version), Buffer.alloc(0), 'warren-secret-fingerprint', 32));
  return createHmac('sha256', key).update(`${orgId}\0${value}`).digest('hex').slice(0, 16);
}

/** The last two characters, for values long enough that they give little away (≥ 12). */
export const lastTwo = (value: string) => ([...value].length >= 12 ? [...value].slice(-2).join('') : null);

/** A random placeholder, fixed per secret: what a sandbox holds instead of an egress-only value. */
export const newPlaceholder = () => `warren-secret-${randomBytes(20).toString('hex').slice(0, 32)}`;
