import { cache } from 'react';
import type { UserScope } from './scope';

/**
 * The signed-in person for the current request (Auth.js session), loaded from the database so a
 * deleted user or a revoked admin flag takes effect at once even though the JWT lives on.
 * Returns null when nobody is signed in. Cached per request: layouts and pages both ask.
 */
export const getSessionUser = cache(async (): Promise<UserScope | null> => {
  // Imported lazily so modules that only need the type (tests, the CLI) do not load next-auth.
  const { auth } = await import('./auth');
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const { findUserById } = await import('@/lib/users/users');
  const user = await findUserById(id);
  // A disabled account is signed out everywhere (its JWT may live on until the next refresh).
  if (!user || user.disabledAt) return null;
  return { userId: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin };
});
