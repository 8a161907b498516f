import { sessionFromCookies } from '@/lib/auth/session-cookie';

/** The id of the session row behind this request's cookie (the "this browser" of the sessions list). */
export async function currentSessionId(req: Request): Promise<string | null> {
  return (await sessionFromCookies(req.headers.get('cookie')))?.sid ?? null;
}
