import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The envd access token the E2B API hands out with a sandbox (`envdAccessToken`), sent back to
 * the gateway as `X-Access-Token` and used by the clients to sign file URLs. It is derived, not
 * stored: `<apiKeyId>.<HMAC(AUTH_SECRET, sandboxId:apiKeyId)>`. Binding it to the API key that
 * asked for it means the gateway can re-check that key on every call (revoked, expired, a
 * disabled creator, the org's standing and rate limit) and act with that key's scope; binding it
 * to the sandbox means one sandbox's token never opens another.
 */
const PURPOSE = 'warren:e2b-envd-access';

/** The purpose key, derived once per secret (signature lookups compute many tokens in a row). */
let derived: { secret: string; key: Buffer } | null = null;
function purposeKey(): Buffer {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error('AUTH_SECRET is not set');
  if (derived?.secret !== secret) {
    derived = { secret, key: createHmac('sha256', secret).update(PURPOSE).digest() };
    verifiedMacs.clear();
  }
  return derived.key;
}

function mac(sandboxId: string, apiKeyId: string): string {
  const key = purposeKey();
  return createHmac('sha256', key).update(`${sandboxId}:${apiKeyId}`).digest('base64url');
}

/**
 * The MAC of each (sandbox, key) pair whose token has verified, kept: every gateway call checks its
 * token, and an HMAC here costs more than the rest of that check (a CPU profile of
 * bench/e2b-compat). Only tokens that verified are remembered, so made-up key ids cannot fill it or
 * push real pairs out; bounded (the oldest pair goes first), emptied when the secret changes; the
 * comparison stays constant-time.
 */
const verifiedMacs = new Map<string, Buffer>();
const MAX_VERIFIED = 10_000;

export function envdAccessToken(sandboxId: string, apiKeyId: string): string {
  return `${apiKeyId}.${mac(sandboxId, apiKeyId)}`;
}

/** The API key id the token was minted for, or null when it is not this sandbox's token. */
export function verifyEnvdAccessToken(sandboxId: string, token: string | undefined | null): string | null {
  if (!token) return null;
  const dot = token.indexOf('.');
  if (dot < 1) return null;
  const keyId = token.slice(0, dot);
  if (!/^[a-z0-9]{3,40}$/.test(keyId)) return null;
  purposeKey(); // empties the memo first if the secret changed
  const pair = `${sandboxId}:${keyId}`;
  const known = verifiedMacs.get(pair);
  const expected = known ?? Buffer.from(mac(sandboxId, keyId));
  const given = Buffer.from(token.slice(dot + 1));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!known) {
    if (verifiedMacs.size >= MAX_VERIFIED) verifiedMacs.delete(verifiedMacs.keys().next().value!);
    verifiedMacs.set(pair, expected);
  }
  return keyId;
}

/**
 * The traffic token of a sandbox whose ports are not public (E2B's `allowPublicTraffic: false`):
 * sent as `e2b-traffic-access-token` to reach its ports through the gateway.
 */
export function trafficAccessToken(sandboxId: string): string {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error('AUTH_SECRET is not set');
  return createHmac('sha256', secret).update(`warren:e2b-traffic:${sandboxId}`).digest('base64url');
}

export function trafficTokenAllows(sandboxId: string, token: string | undefined): boolean {
  if (!token) return false;
  const expected = Buffer.from(trafficAccessToken(sandboxId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
