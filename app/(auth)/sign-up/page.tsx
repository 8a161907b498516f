import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { oauthProviders } from '@/lib/auth/auth';
import { getSessionUser } from '@/lib/auth/session';
import { firstParam, safeCallbackUrl } from '@/lib/auth/callback-url';

export const metadata: Metadata = { title: 'Create your account' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(firstParam(params.callbackUrl));
  if (await getSessionUser()) redirect(callbackUrl);
  return <SignUpForm callbackUrl={callbackUrl} providers={oauthProviders()} />;
}
