import crypto from 'node:crypto';
import { AppError, badRequest } from '@/lib/errors';

/** Cap on a recipe's build context (the tar COPY reads from); WARREN_TEMPLATE_CONTEXT_MAX_MB, default 32. */
export function maxContextBytes(): number {
  const mb = Number(process.env.WARREN_TEMPLATE_CONTEXT_MAX_MB ?? 32);
  return (Number.isFinite(mb) && mb > 0 ? mb : 32) * 1024 ** 2;
}

/** JSON body cap of a create or rebuild that may carry a context (base64 is 4/3 of the bytes). */
export const contextBodyBytes = () => Math.ceil((maxContextBytes() * 4) / 3) + 256 * 1024;

/** A context as uploaded (base64 of a tar or tar.gz): checked for size and shape, hashed. */
export function decodeContext(b64: string): { base64: string; sha256: string; bytes: number } {
  const buf = Buffer.from(b64, 'base64');
  const max = maxContextBytes();
  if (buf.length > max) throw new AppError('payload_too_large', `The build context is ${buf.length} bytes; at most ${max} (WARREN_TEMPLATE_CONTEXT_MAX_MB)`);
  const gzip = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  const tar = buf.length >= 512 && buf.subarray(257, 262).toString('latin1') === 'ustar';
  if (!gzip && !tar) throw badRequest('The build context must be a tar or a gzipped tar (base64)');
  return { base64: b64, sha256: crypto.createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}
