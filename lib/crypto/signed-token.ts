import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed tokens (terminal tickets, preview access): a JSON payload and an
 * HMAC-SHA256 over it, keyed by AUTH_SECRET and a purpose string so a token minted for one
 * purpose never verifies for another. Stateless: nothing is stored, expiry is inside.
 */
type Claims = Record<string, string | number | boolean | null>;

function key(purpose: string): Buffer {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error('AUTH_SECRET is not set');
  return createHmac('sha256', secret).update(`warren:${purpose}`).digest();
}

export function signToken(purpose: string, claims: Claims, ttlSec: number): string {
  const body = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + ttlSec })).toString('base64url');
  const mac = createHmac('sha256', key(purpose)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function verifyToken<T extends Claims>(purpose: string, token: string | null | undefined): (T & { exp: number }) | null {
  if (!token) return null;
  const [body, mac] = token.split('.');
  if (!body || !mac) return null;
  const expected = createHmac('sha256', key(purpose)).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
    return claims.exp * 1000 > Date.now() ? claims : null;
  } catch {
    return null;
  }
}
