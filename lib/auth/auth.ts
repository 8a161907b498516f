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
import { AccountDisabled, InvalidCredentials } from './auth-errors';
import { currentSessionVersion, SESSION_VERSION_CLAIM, tokenSessionVersion } from './session-version';
import { clientIp, guardSignIn } from './sign-in-guard';

/**
 * Auth.js for the console. Sessions are JWTs (Credentials requires it) signed with AUTH_SECRET,
 * which the console's boot keeps in the data dir, so a restart keeps everyone signed in.
 * The adapter is only there for OAuth: it stores linked accounts and creates OAuth users.
 */
const CredentialsInput = z.object({
  email: text(254).trim().toLowerCase().min(3),
  password: text(200).min(1),
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
  const { email, password } = parsed.data;
  return guardSignIn(email, clientIp(request), async () => {
    const user = await findUserByEmail(email);
    if (!user) {
      await burnPasswordCheck(password);
      return null;
    }
    if (!(await verifyPassword(user.passwordHash, password))) return null;
    // Only after the right password: a disabled account is told why, a guesser learns nothing.
    if (user.disabledAt) throw new AccountDisabled();
    return { id: user.id, email: user.email, name: user.name };
  });
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
      // Runs at sign-in (user set) and on every session read: a token older than the user's last
      // password change, or of a deleted user, ends the session (null clears the cookie).
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token[SESSION_VERSION_CLAIM] = (await currentSessionVersion(user.id)) ?? 0;
          return token;
        }
        if (!token.sub) return token;
        const current = await currentSessionVersion(token.sub);
        return current !== null && current === tokenSessionVersion(token) ? token : null;
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
