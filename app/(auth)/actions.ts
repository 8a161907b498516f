'use server';

import { redirect } from 'next/navigation';
import { AuthError, CredentialsSignin } from 'next-auth';
import { oauthProviders, signIn, signOut } from '@/lib/auth/auth';
import { signInErrorMessage, TooManyAttempts } from '@/lib/auth/auth-errors';
import { safeCallbackUrl } from '@/lib/auth/callback-url';

/** `needsCode`: the password was right and the account has two-factor on; the form asks for a code. */
export type SignInState = { error: string | null; email?: string; needsCode?: boolean };

const CODE_STEP = new Set(['two_factor_required', 'invalid_two_factor_code']);

/**
 * Password sign-in as a server action: on success Auth.js sets the session cookie and we redirect
 * to a relative path ourselves. (Auth.js would build an absolute URL from AUTH_URL, which sends
 * people who reached the console by another host name, e.g. an IP address, to the wrong host.)
 * A failed check comes back as a message for the form.
 */
export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get('email') ?? '');
  const password = String(form.get('password') ?? '');
  const code = String(form.get('code') ?? '').trim();
  const askedForCode = form.get('step') === 'code';
  if (!email.trim() || !password) return { error: 'Enter your e-mail and password.', email };
  if (askedForCode && !code) return { error: 'Enter the 6-digit code from your authenticator app.', email, needsCode: true };
  const target = safeCallbackUrl(form.get('callbackUrl'));
  try {
    await signIn('credentials', { email, password, ...(code ? { code } : {}), redirect: false });
  } catch (err) {
    if (err instanceof TooManyAttempts && err.waitMessage) return { error: err.waitMessage, email, needsCode: askedForCode };
    if (err instanceof CredentialsSignin && CODE_STEP.has(err.code)) {
      return { error: err.code === 'two_factor_required' ? null : signInErrorMessage(err.code), email, needsCode: true };
    }
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
