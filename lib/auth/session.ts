import type { UserScope } from './scope';

/**
 * The signed-in person for the current request (Auth.js session), loaded from the database.
 * Returns null when nobody is signed in. TODO(auth helper): implement with Auth.js `auth()`.
 */
export async function getSessionUser(): Promise<UserScope | null> {
  return null;
}
