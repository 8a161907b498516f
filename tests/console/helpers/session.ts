import { vi } from 'vitest';
import type { UserScope } from '@/lib/auth/scope';

/**
 * Stand-in for the Auth.js session in tests that call handlers directly (there is no Next
 * request context). Use with: vi.mock('@/lib/auth/session', () => sessionMock)
 */
let current: UserScope | null = null;
export const signInAs = (u: UserScope | null) => {
  current = u ? { userId: u.userId, email: u.email, name: u.name, isPlatformAdmin: u.isPlatformAdmin } : null;
};
export const sessionMock = { getSessionUser: vi.fn(async () => current) };
