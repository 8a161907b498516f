'use server';

import { redirect } from 'next/navigation';
import { AuthError, CredentialsSignin } from 'next-auth';
import { oauthProviders, signIn, signOut } from '@/lib/auth/auth';
import { signInErrorMessage, TooManyAttempts } from '@/lib/auth/auth-errors';
import { safeCallbackUrl } from '@/lib/auth/callback-url';

export type SignInState = { error: string | null; email?: string };

/**
 * Password sign-in as a server action: on success Auth.js sets the session cookie and we redirect
 * to a relative path ourselves. (Auth.js would build an absolute URL from AUTH_URL, which sends
 * people who reached the console by another host name, e.g. an IP address, to the wrong host.)
 * A failed check comes back as a message for the form.
 */
export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get('email') ?? '');
  const password = String(form.get('password') ?? '');
  if (!email.trim() || !password) return { error: 'Enter your e-mail and password.', email };
  const target = safeCallbackUrl(form.get('callbackUrl'));
  try {
    await signIn('credentials', { email, password, redirect: false });
  } catch (err) {
    if (err instanceof TooManyAttempts && err.waitMessage) return { error: err.waitMessage, email };
    if (err instanceof CredentialsSignin) return { error: signInErrorMessage(err.code), email };
    if (err instanceof AuthError) return { error: signInErrorMessage(err.type), email };
    throw err;
  }
  redirect(target);
}

export async function signInWithProvider(form: FormData): Promise<void> {
  const provider = String(form.get('provider') ?? '');
  if (!oauthProviders().some((p) => p.id === provider)) return;
  await signIn(provider, { redirectTo: safeCallbackUrl(form.get('callbackUrl')) });
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirect: false });
  redirect('/sign-in');
}
