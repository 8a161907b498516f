import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';

/**
 * The vault's key-encryption keys (KEKs), by version. From `WARREN_SECRETS_KEY` when set —
 * one base64 key of 32 bytes (version 1), or `3:<base64>,2:<base64>` — otherwise from
 * `$WARREN_DATA_DIR/secrets-key` (mode 0600, the same format), generated on first use like the
 * auth secret. The highest version encrypts; every listed one decrypts, so a rotation
 * (`warren secrets rotate-key`) adds a version, re-wraps every row, and only then may the old
 * version go. The file is re-read when it changes (checked at most once a second, and whenever
 * a row names a version this process does not have), so running consoles follow a rotation
 * without a restart.
 */
export type Keyring = { current: number; keys: Map<number, Buffer>; source: 'env' | 'file' };

const FILE = 'secrets-key';
let cached: { ring: Keyring; stamp: string; checkedAt: number; file: string | null } | null = null;

export function parseKeyring(text: string, source: Keyring['source']): Keyring {
  const keys = new Map<number, Buffer>();
  const parts = text.trim().split(/[\s,]+/).filter(Boolean);
  if (!parts.length) throw new Error(`${where(source)} holds no key`);
  for (const part of parts) {
    const m = /^(?:(\d{1,6}):)?([A-Za-z0-9+/_-]+={0,2})$/.exec(part);
    const key = m ? Buffer.from(m[2]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : null;
    // The message names the problem, never the key.
    if (!m || key!.length !== 32) throw new Error(`${where(source)}: each key is 32 bytes in base64, optionally as <version>:<key>`);
    const version = m[1] ? Number(m[1]) : 1;
    if (version < 1 || keys.has(version)) throw new Error(`${where(source)}: key versions are distinct numbers from 1`);
    if (!m[1] && parts.length > 1) throw new Error(`${where(source)}: with several keys, give each a version (2:<key>,1:<key>)`);
    keys.set(version, key!);
  }
  return { current: Math.max(...keys.keys()), keys, source };
}

const where = (source: Keyring['source']) => (source === 'env' ? 'WARREN_SECRETS_KEY' : keyringFile());

export const formatKeyring = (keys: Map<number, Buffer>) =>
  [...keys.entries()]
    .sort(([a], [b]) => b - a)
    .map(([v, k]) => `${v}:${k.toString('base64')}`)
    .join(',');

/** `WARREN_SECRETS_KEY_FILE`, or the data dir's: consoles sharing a database share this file. */
export const keyringFile = () => process.env.WARREN_SECRETS_KEY_FILE || path.join(env().dataDir, FILE);

/** The keyring now. `refresh`: re-read the file whatever the clock says (an unknown version). */
export function keyring(refresh = false): Keyring {
  const fromEnv = process.env.WARREN_SECRETS_KEY;
  if (fromEnv) {
    if (!cached || cached.file !== null) cached = { ring: parseKeyring(fromEnv, 'env'), stamp: '', checkedAt: 0, file: null };
    return cached.ring;
  }
  const file = keyringFile();
  const now = Date.now();
  if (cached && cached.file === file && !refresh && now - cached.checkedAt < 1000) return cached.ring;
  let stat = statOrNull(file);
  if (!stat) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, `1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    stat = statOrNull(file)!;
  }
  // A rotation replaces the file by rename: a new inode, whatever the clock's resolution.
  const stamp = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  if (cached && cached.file === file && cached.stamp === stamp) {
    cached.checkedAt = now;
    return cached.ring;
  }
  const ring = parseKeyring(fs.readFileSync(file, 'utf8'), 'file');
  cached = { ring, stamp, checkedAt: now, file };
  return ring;
}

/** The key of `version`, re-reading the keyring once if this process does not have it yet. */
export function kek(version: number): Buffer {
  const key = keyring().keys.get(version) ?? keyring(true).keys.get(version);
  if (!key) {
    throw new AppError(
      'secret_unreadable',
      `A secret is encrypted with key version ${version}, which this console does not have: add it to ${where(keyring().source)} (see README: Secrets, key rotation)`,
    );
  }
  return key;
}

/** Adds a new current version to the key file (rotation). Refused when the keys come from the environment. */
export function addKeyVersion(): number {
  const ring = keyring(true);
  if (ring.source === 'env') throw new Error('WARREN_SECRETS_KEY is set: add the new key there (N:<key>,…) on every console, then run rotate-key again');
  const keys = new Map(ring.keys);
  const version = ring.current + 1;
  keys.set(version, randomBytes(32));
  const file = keyringFile();
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${formatKeyring(keys)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  keyring(true);
  return version;
}

/** Drops versions no row uses any more (after a rotation). */
export function removeKeyVersions(versions: number[]): void {
  const ring = keyring(true);
  if (ring.source === 'env') return;
  const keys = new Map(ring.keys);
  for (const v of versions) if (v !== ring.current) keys.delete(v);
  const file = keyringFile();
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${formatKeyring(keys)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  keyring(true);
}

/** For tests: forget what was read. */
export function resetKeyringCache(): void {
  cached = null;
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
