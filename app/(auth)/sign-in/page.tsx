import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { oauthProviders } from '@/lib/auth/auth';
import { signInErrorMessage } from '@/lib/auth/auth-errors';
import { getSessionUser } from '@/lib/auth/session';
import { firstParam, safeCallbackUrl } from '@/lib/auth/callback-url';

export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(firstParam(params.callbackUrl));
  if (await getSessionUser()) redirect(callbackUrl);
  // Auth.js sends OAuth failures back here as ?error=Type (&code= for credentials).
  const initialError = signInErrorMessage(firstParam(params.code) ?? firstParam(params.error));
  // After a password reset (the reset page sends people here with ?reset=1).
  const notice = firstParam(params.reset) === '1' ? 'Your password was changed. Sign in with the new one.' : null;
  return <SignInForm callbackUrl={callbackUrl} providers={oauthProviders()} initialError={initialError} notice={notice} />;
}
