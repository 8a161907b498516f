'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { type SignInState, signInWithPassword } from '@/app/(auth)/actions';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { type OAuthProvider, OAuthButtons } from './oauth-buttons';

type Props = { callbackUrl: string; providers: OAuthProvider[]; initialError: string | null; notice?: string | null };

export function SignInForm({ callbackUrl, providers, initialError, notice }: Props) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInWithPassword, {
    error: initialError,
  });
  const signUpHref = callbackUrl === '/' ? '/sign-up' : `/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  return (
    <Card>
      <CardBody className="grid gap-5 py-6">
        <div className="grid gap-1">
          <h1 className="text-lg font-semibold text-zinc-900">Sign in</h1>
          <p className="text-sm text-zinc-500">Welcome back to Warren.</p>
        </div>
        <OAuthButtons providers={providers} callbackUrl={callbackUrl} />
        <form action={action} className="grid gap-4" noValidate>
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          {notice && !state.error ? (
            <p role="status" data-testid="sign-in-notice" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              {notice}
            </p>
          ) : null}
          <FormError message={state.error} />
          <Field label="E-mail">
            <Input
              name="email"
              type="email"
              autoComplete="email"
              required
              autoFocus
              defaultValue={state.email ?? ''}
              key={state.email ?? ''}
            />
          </Field>
          <div className="grid gap-1.5">
            <Field label="Password">
              <Input name="password" type="password" autoComplete="current-password" required />
            </Field>
            <Link href="/forgot-password" className="justify-self-end text-xs font-medium text-indigo-600 hover:underline">
              Forgot password?
            </Link>
          </div>
          <Button type="submit" pending={pending} className="w-full">
            Sign in
          </Button>
        </form>
        <p className="text-center text-sm text-zinc-500">
          New to Warren?{' '}
          <Link href={signUpHref} className="font-medium text-indigo-600 hover:underline">
            Create an account
          </Link>
        </p>
      </CardBody>
    </Card>
  );
}
