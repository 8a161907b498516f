import { createHash } from 'node:crypto';
import { randomToken } from '@/lib/ids';

/** Invitation link tokens: 32 random bytes; only the SHA-256 hex is stored. */
export const newInvitationToken = () => randomToken(32);
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
