import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Bearer-token check. Both sides are hashed first so the compare is constant-time and does not
 * leak the token's length either (timingSafeEqual needs equal-length inputs).
 */
export function makeAuthCheck(token: string): (req: IncomingMessage) => boolean {
  if (!token) throw new Error('The runner needs a non-empty API token');
  const expected = createHash('sha256').update(token).digest();
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return false;
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m?.[1]) return false;
    const got = createHash('sha256').update(m[1]).digest();
    return timingSafeEqual(expected, got);
  };
}
