import { DrizzleAdapter } from '@auth/drizzle-adapter';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import type { Adapter } from 'next-auth/adapters';
import Credentials from 'next-auth/providers/credentials';
import GitHub from 'next-auth/providers/github';
import Google from 'next-auth/providers/google';
import { z } from 'zod';
import { type Db, getDb, schema } from '@/db';
import { logger } from '@/lib/logger';
import { text } from '@/lib/schemas/common';
import { burnPasswordCheck, verifyPassword } from '@/lib/users/password';
import { ensurePersonalOrg, findUserByEmail } from '@/lib/users/users';
import { verifySecondFactor } from '@/lib/account/two-factor';
import { isAppError } from '@/lib/errors';
import { AccountDisabled, InvalidCredentials, InvalidTwoFactorCode, TooManyAttempts, TwoFactorRequired } from './auth-errors';
import { currentSessionVersion, SESSION_ID_CLAIM, SESSION_VERSION_CLAIM, tokenSessionId, tokenSessionVersion } from './session-version';
import { createUserSession, sessionStillValid } from './user-sessions';
import { clientIp, guardSignIn } from './sign-in-guard';

/**
 * Auth.js for the console. Sessions are JWTs (Credentials requires it) signed with AUTH_SECRET,
 * which the console's boot keeps in the data dir, so a restart keeps everyone signed in.
 * The adapter is only there for OAuth: it stores linked accounts and creates OAuth users.
 */
const CredentialsInput = z.object({
  email: text(254).trim().toLowerCase().min(3),
  password: text(200).min(1),
  // The second factor, sent with the password once the form knows it is needed.
  code: text(40).trim().optional(),
});

/** Which OAuth buttons to show: a provider is on only when both of its variables are set. */
export function oauthProviders(): Array<{ id: 'github' | 'google'; name: string }> {
  const out: Array<{ id: 'github' | 'google'; name: string }> = [];
  if (process.env.AUTH_GITHUB_ID && process.env.AUTH_GITHUB_SECRET) out.push({ id: 'github', name: 'GitHub' });
  if (process.env.AUTH_GOOGLE_ID && process.env.AUTH_GOOGLE_SECRET) out.push({ id: 'google', name: 'Google' });
  return out;
}

async function authorize(credentials: Partial<Record<string, unknown>>, request: Request) {
  const parsed = CredentialsInput.safeParse(credentials);
  if (!parsed.success) throw new InvalidCredentials();
  const { email, password, code } = parsed.data;
  const user = await guardSignIn(email, clientIp(request), async () => {
    const user = await findUserByEmail(email);
    if (!user) {
      await burnPasswordCheck(password);
      return null;
    }
    if (!(await verifyPassword(user.passwordHash, password))) return null;
    // Only after the right password: a disabled account is told why, a guesser learns nothing.
    if (user.disabledAt) throw new AccountDisabled();
    return { id: user.id, email: user.email, name: user.name, twoFactor: !!user.totpEnabledAt };
  });
  // Only after the right password does anyone learn that the account has a second factor.
  if (user.twoFactor) {
    if (!code) throw new TwoFactorRequired();
    try {
      await verifySecondFactor(user.id, user.email, code);
    } catch (err) {
      if (isAppError(err) && err.code === 'rate_limited') throw new TooManyAttempts(err.message);
      if (isAppError(err)) throw new InvalidTwoFactorCode();
      throw err;
    }
  }
  return { id: user.id, email: user.email, name: user.name };
}

/** Who is signing in from where, for the sessions list; outside a request there is nothing to say. */
async function requestMeta(): Promise<{ userAgent: string | null; ip: string | null }> {
  try {
    const { headers } = await import('next/headers');
    const h = await headers();
    return { userAgent: h.get('user-agent'), ip: h.get('x-forwarded-for')?.split(',')[0]?.trim() || h.get('x-real-ip') };
  } catch {
    return { userAgent: null, ip: null };
  }
}

/**
 * The drizzle adapter, with e-mails lower-cased on the way in: password accounts are stored
 * lower-case, so an OAuth sign-in with "Ada@Example.com" must find (and not duplicate) them.
 */
function oauthAdapter(db: Db): Adapter {
  const base = DrizzleAdapter(db, {
    usersTable: schema.users,
    accountsTable: schema.accounts,
    sessionsTable: schema.sessions,
    verificationTokensTable: schema.verificationTokens,
  });
  return {
    ...base,
    createUser: (user) => base.createUser!({ ...user, email: user.email.trim().toLowerCase() }),
    getUserByEmail: (email) => base.getUserByEmail!(email.trim().toLowerCase()),
  };
}

async function config(): Promise<NextAuthConfig> {
  const db = await getDb();
  const providers: NextAuthConfig['providers'] = [Credentials({ credentials: { email: {}, password: {} }, authorize })];
  const oauth = oauthProviders().map((p) => p.id);
  if (oauth.includes('github')) providers.push(GitHub);
  if (oauth.includes('google')) providers.push(Google);

  return {
    adapter: oauthAdapter(db),
    session: { strategy: 'jwt' },
    trustHost: true,
    providers,
    pages: { signIn: '/sign-in', signOut: '/sign-out', error: '/sign-in' },
    callbacks: {
      // OAuth sign-ins never reach authorize(): a disabled account is refused here (AccessDenied).
      async signIn({ user }) {
        if (!user.email) return true;
        const existing = await findUserByEmail(user.email);
        return !existing?.disabledAt;
      },
      // Runs at sign-in (user set) and on every session read. Sign-in opens a session row; a
      // token whose row was ended (signed out elsewhere, password changed), older than the last
      // password reset, or of a deleted or disabled user ends the session (null clears the cookie).
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token[SESSION_VERSION_CLAIM] = (await currentSessionVersion(user.id)) ?? 0;
          token[SESSION_ID_CLAIM] = await createUserSession(user.id, await requestMeta());
          return token;
        }
        if (!token.sub) return token;
        return (await sessionStillValid(token.sub, tokenSessionVersion(token), tokenSessionId(token))) ? token : null;
      },
      session({ session, token }) {
        if (token.sub && session.user) session.user.id = token.sub;
        return session;
      },
    },
    events: {
      // OAuth sign-ups come through the adapter, not /api/signup: give them their personal org too.
      async createUser({ user }) {
        if (user.id) await ensurePersonalOrg(user.id);
      },
    },
    logger: {
      // A wrong password is not a server error; everything else is logged.
      error(err) {
        if (err instanceof CredentialsSignin || (err as { type?: string }).type === 'CredentialsSignin') return;
        logger.error({ err }, 'auth error');
      },
      warn(code) {
        logger.warn({ code }, 'auth warning');
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(config);
