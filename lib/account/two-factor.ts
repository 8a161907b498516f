import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';
import { open, type Sealed, seal } from '@/lib/secrets/crypto';
import { checkTwoFactorAllowed, recordTwoFactorAttempt } from '@/lib/users/rate-limit';

const { users, recoveryCodes } = schema;

/**
 * TOTP two-factor sign-in (RFC 6238: SHA-1, 6 digits, 30 s, what every authenticator app
 * reads) with otpauth. The shared secret is sealed with the vault's AES-256-GCM envelope under
 * the vault's key (lib/secrets/crypto.ts), with "totp" and the user id as its associated data:
 * a database dump alone yields no secrets, and a sealed secret copied onto another user does not
 * open. A code is accepted once: the time step of the last good code is kept.
 */
const ISSUER = 'Warren';
const SEAL_NAMESPACE = 'totp';

const sealSecret = (userId: string, base32: string) => JSON.stringify(seal(SEAL_NAMESPACE, userId, base32));
const openSecret = (userId: string, stored: string) => open(SEAL_NAMESPACE, userId, 'two-factor secret', JSON.parse(stored) as Sealed);

function totpFor(email: string, base32: string) {
  return new OTPAuth.TOTP({ issuer: ISSUER, label: email, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(base32) });
}

/** `qrDataUrl`: the URI as an SVG QR code in a data: URL, ready for an <img>. */
export type TwoFactorSetup = { otpauthUri: string; secret: string; qrDataUrl: string };

/** Starts (or restarts) setup: a new secret, pending until a first code confirms it. */
export async function beginTwoFactorSetup(userId: string, email: string): Promise<TwoFactorSetup> {
  const db = await getDb();
  const [u] = await db.select({ enabled: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  if (u?.enabled) throw new AppError('conflict', 'Two-factor sign-in is already on; turn it off first to use another device');
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await db.update(users).set({ totpPendingSecret: sealSecret(userId, secret) }).where(eq(users.id, userId));
  const otpauthUri = totpFor(email, secret).toString();
  const svg = await QRCode.toString(otpauthUri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { otpauthUri, secret, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The time step a code belongs to (within ±1 step of now), or null when it is not valid. */
function matchingStep(email: string, base32: string, code: string): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(email, base32).validate({ token: code, window: 1 });
  return delta === null ? null : OTPAuth.TOTP.counter({ period: 30 }) + delta;
}

const RECOVERY_CODE_COUNT = 10;
const hashRecoveryCode = (code: string) => createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex');
const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Ten codes of 10 base32 characters (50 bits each), shown as xxxxx-xxxxx. */
function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    const s = [...bytes].map((b) => alphabet[b % 32]).join('');
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** Confirms setup with a code from the app: two-factor is on, and the recovery codes are returned (the only time they are shown). */
export async function confirmTwoFactorSetup(userId: string, email: string, code: string): Promise<{ recoveryCodes: string[] }> {
  const db = await getDb();
  const [u] = await db.select().from(users).where(eq(users.id, userId));
  if (!u?.totpPendingSecret) throw new AppError('conflict', 'Start the setup first: there is no QR code waiting for a code');
  await guardedAttempt(userId, async () => {
    const secret = openSecret(userId, u.totpPendingSecret!);
    const step = matchingStep(email, secret, code.trim());
    if (step === null) return false;
    await db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ totpSecret: u.totpPendingSecret, totpPendingSecret: null, totpEnabledAt: new Date(), totpLastCounter: step })
        .where(eq(users.id, userId));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    });
    return true;
  });
  return { recoveryCodes: await replaceRecoveryCodes(userId) };
}

async function replaceRecoveryCodes(userId: string): Promise<string[]> {
  const db = await getDb();
  const codes = newRecoveryCodes();
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId, codeHash: hashRecoveryCode(c) })));
  });
  return codes;
}

/** New recovery codes (the old ones stop working); needs a current code, like any change to two-factor. */
export async function regenerateRecoveryCodes(userId: string, email: string, code: string): Promise<string[]> {
  await verifySecondFactor(userId, email, code);
  return replaceRecoveryCodes(userId);
}

export async function disableTwoFactor(userId: string, email: string, code: string): Promise<void> {
  await verifySecondFactor(userId, email, code);
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.update(users).set({ totpSecret: null, totpPendingSecret: null, totpEnabledAt: null, totpLastCounter: null }).where(eq(users.id, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  });
}

export async function twoFactorStatus(userId: string): Promise<{ enabled: boolean; enabledAt: string | null; recoveryCodesLeft: number }> {
  const db = await getDb();
  const [u] = await db.select({ at: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  const left = await db.$count(recoveryCodes, and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return { enabled: !!u?.at, enabledAt: u?.at?.toISOString() ?? null, recoveryCodesLeft: u?.at ? left : 0 };
}

/**
 * Checks a second factor for a user with two-factor on: a 6-digit code from the app (each time
 * step once) or an unused recovery code (then used up). Failures are rate limited per user, so
 * the million codes cannot be walked. Throws `invalid_code` or `rate_limited`.
 */
export async function verifySecondFactor(userId: string, email: string, code: string): Promise<void> {
  const db = await getDb();
  await guardedAttempt(userId, async () => {
    const [u] = await db.select().from(users).where(eq(users.id, userId));
    if (!u?.totpSecret || !u.totpEnabledAt) return false;
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      const step = matchingStep(email, openSecret(userId, u.totpSecret), trimmed);
      if (step === null) return false;
      // Conditional update: of two requests racing with the same code, one wins.
      const won = await db
        .update(users)
        .set({ totpLastCounter: step })
        .where(and(eq(users.id, userId), or(isNull(users.totpLastCounter), lt(users.totpLastCounter, step))))
        .returning({ id: users.id });
      return won.length > 0;
    }
    const used = await db
      .update(recoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashRecoveryCode(trimmed)), isNull(recoveryCodes.usedAt)))
      .returning({ id: recoveryCodes.id });
    return used.length > 0;
  });
}

async function guardedAttempt(userId: string, attempt: () => Promise<boolean>): Promise<void> {
  await checkTwoFactorAllowed(userId);
  const ok = await attempt();
  await recordTwoFactorAttempt(userId, ok);
  if (!ok) throw new AppError('validation_failed', 'That code is not valid. Use the current code from your authenticator app, or a recovery code.', { field: 'code' });
}

export async function hasTwoFactor(userId: string): Promise<boolean> {
  const db = await getDb();
  const [u] = await db.select({ at: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  return !!u?.at;
}
