import { and, asc, count, desc, eq, gt, lt } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { AppError } from '@/lib/errors';

const { authAttempts } = schema;

/**
 * Attempt counting on the auth_attempts table (shared by every console process, survives
 * restarts). Keys look like `signin:email:a@b.c`, `signin:ip:1.2.3.4`, `signup:ip:1.2.3.4`.
 */
type Rule = { key: string; max: number; windowMs: number; failuresOnly: boolean };
export type LimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

async function evaluate(rule: Rule, now = Date.now()): Promise<LimitResult> {
  const db = await getDb();
  let since = new Date(now - rule.windowMs);
  if (rule.failuresOnly) {
    // A successful sign-in wipes the slate: only failures after the last success count.
    const [ok] = await db
      .select({ at: authAttempts.createdAt })
      .from(authAttempts)
      .where(and(eq(authAttempts.key, rule.key), eq(authAttempts.succeeded, true), gt(authAttempts.createdAt, since)))
      .orderBy(desc(authAttempts.createdAt))
      .limit(1);
    if (ok) since = ok.at;
  }
  const where = and(
    eq(authAttempts.key, rule.key),
    gt(authAttempts.createdAt, since),
    rule.failuresOnly ? eq(authAttempts.succeeded, false) : undefined,
  );
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(authAttempts).where(where);
  if (n < rule.max) return { allowed: true };
  // The window frees up when the oldest attempt that still counts ages out.
  const [oldest] = await db.select({ at: authAttempts.createdAt }).from(authAttempts).where(where).orderBy(asc(authAttempts.createdAt)).limit(1);
  const retryAfterSeconds = Math.max(1, Math.ceil(((oldest?.at.getTime() ?? now) + rule.windowMs - now) / 1000));
  return { allowed: false, retryAfterSeconds, message: '' };
}

async function record(key: string, succeeded: boolean) {
  const db = await getDb();
  await db.insert(authAttempts).values({ key, succeeded });
  // Opportunistic clean-up keeps the table small without a scheduler.
  if (Math.random() < 0.01) await db.delete(authAttempts).where(lt(authAttempts.createdAt, new Date(Date.now() - 86_400_000)));
}

const WINDOW = 15 * 60_000;
const emailKey = (email: string) => `signin:email:${email.trim().toLowerCase()}`;
const ipKey = (ip: string) => `signin:ip:${ip}`;

function waitText(seconds: number) {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60 ? `${seconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** ≥5 failed sign-ins for an e-mail, or ≥20 from one address, within 15 minutes: wait. */
export async function signInLimit(email: string, ip: string | null): Promise<LimitResult> {
  const rules: Rule[] = [{ key: emailKey(email), max: 5, windowMs: WINDOW, failuresOnly: true }];
  if (ip) rules.push({ key: ipKey(ip), max: 20, windowMs: WINDOW, failuresOnly: true });
  for (const rule of rules) {
    const r = await evaluate(rule);
    if (!r.allowed) {
      return { ...r, message: `Too many failed sign-in attempts. Try again in ${waitText(r.retryAfterSeconds)}.` };
    }
  }
  return { allowed: true };
}

export async function checkSignInAllowed(email: string, ip: string | null): Promise<void> {
  const r = await signInLimit(email, ip);
  if (!r.allowed) throw new AppError('rate_limited', r.message, { retryAfterSeconds: r.retryAfterSeconds });
}

export async function recordSignInAttempt(email: string, ip: string | null, succeeded: boolean): Promise<void> {
  await record(emailKey(email), succeeded);
  if (ip) await record(ipKey(ip), succeeded);
}

/**
 * Sign-ups per client address per hour: 30 by default (a team signing up from one office NAT,
 * or repeated end-to-end runs from loopback, stay under it); WARREN_SIGNUP_LIMIT_PER_HOUR
 * changes it, 0 turns it off.
 */
export function signUpLimitPerHour(): number {
  const n = Number(process.env.WARREN_SIGNUP_LIMIT_PER_HOUR ?? 30);
  return Number.isInteger(n) && n >= 0 ? n : 30;
}

export async function checkSignUpAllowed(ip: string | null): Promise<void> {
  const max = signUpLimitPerHour();
  if (!ip || max === 0) return;
  const r = await evaluate({ key: `signup:ip:${ip}`, max, windowMs: 3_600_000, failuresOnly: false });
  if (!r.allowed) {
    throw new AppError('rate_limited', `Too many sign-ups from your network. Try again in ${waitText(r.retryAfterSeconds)}.`, {
      retryAfterSeconds: r.retryAfterSeconds,
    });
  }
}

export const recordSignUp = (ip: string | null) => (ip ? record(`signup:ip:${ip}`, true) : Promise.resolve());

/**
 * Password-reset requests: 5 per e-mail and 20 per client address per hour, counted whether or
 * not the e-mail has an account (so the limit itself says nothing about accounts). Stops anyone
 * from flooding a mailbox through us, or walking a list of addresses.
 */
const RESET_RULES = (email: string, ip: string | null): Rule[] => [
  { key: `reset:email:${email.trim().toLowerCase()}`, max: 5, windowMs: 3_600_000, failuresOnly: false },
  ...(ip ? [{ key: `reset:ip:${ip}`, max: 20, windowMs: 3_600_000, failuresOnly: false }] : []),
];

export async function checkPasswordResetAllowed(email: string, ip: string | null): Promise<void> {
  for (const rule of RESET_RULES(email, ip)) {
    const r = await evaluate(rule);
    if (!r.allowed) {
      throw new AppError('rate_limited', `Too many password reset requests. Try again in ${waitText(r.retryAfterSeconds)}.`, {
        retryAfterSeconds: r.retryAfterSeconds,
      });
    }
  }
}

export async function recordPasswordResetRequest(email: string, ip: string | null): Promise<void> {
  for (const rule of RESET_RULES(email, ip)) await record(rule.key, true);
}

/**
 * The client address: Next's server sets x-forwarded-for from the socket when no proxy did;
 * behind a proxy the left-most entry is the client. (Same rule as lib/auth/sign-in-guard.ts.)
 */
export function clientIp(req: Request): string | null {
  const fwd = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return fwd || req.headers.get('x-real-ip')?.trim() || null;
}

/**
 * Two-factor codes: 5 wrong codes per user in 15 minutes, then wait. A 6-digit code has a
 * million values and three are valid at any moment; at this rate guessing one takes years.
 */
const twoFactorRule = (userId: string): Rule => ({ key: `2fa:user:${userId}`, max: 5, windowMs: WINDOW, failuresOnly: true });

export async function checkTwoFactorAllowed(userId: string): Promise<void> {
  const r = await evaluate(twoFactorRule(userId));
  if (!r.allowed) {
    throw new AppError('rate_limited', `Too many wrong codes. Try again in ${waitText(r.retryAfterSeconds)}.`, { retryAfterSeconds: r.retryAfterSeconds });
  }
}

export const recordTwoFactorAttempt = (userId: string, succeeded: boolean) => record(twoFactorRule(userId).key, succeeded);
