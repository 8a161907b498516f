'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { type SignInState, signInWithPassword } from '@/app/(auth)/actions';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { type OAuthProvider, OAuthButtons } from './oauth-buttons';

type Props = { callbackUrl: string; providers: OAuthProvider[]; initialError: string | null };

export function SignInForm({ callbackUrl, providers, initialError }: Props) {
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
          <Field label="Password">
            <Input name="password" type="password" autoComplete="current-password" required />
          </Field>
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
