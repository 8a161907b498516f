'use client';

import Link from 'next/link';
import { useActionState, useState } from 'react';
import { type SignInState, signInWithPassword } from '@/app/(auth)/actions';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { type OAuthProvider, OAuthButtons } from './oauth-buttons';

type Props = { callbackUrl: string; providers: OAuthProvider[]; initialError: string | null; notice?: string | null };

/**
 * Password sign-in, in two steps when the account has two-factor on: the server answers
 * "needs a code" only after the password was right, and the second submit sends the code with
 * the e-mail and password (kept in this component's state, never sent back by the server).
 */
export function SignInForm({ callbackUrl, providers, initialError, notice }: Props) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInWithPassword, {
    error: initialError,
  });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // A refused password is cleared (the e-mail stays); a "now the code" answer keeps it for step two.
  const [answered, setAnswered] = useState(state);
  if (answered !== state) {
    setAnswered(state);
    if (state.error && !state.needsCode) setPassword('');
  }
  const signUpHref = callbackUrl === '/' ? '/sign-up' : `/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  if (state.needsCode) {
    return (
      <Card>
        <CardBody className="grid gap-5 py-6">
          <div className="grid gap-1">
            <h1 className="text-lg font-semibold text-zinc-900">Two-factor sign-in</h1>
            <p className="text-sm text-zinc-500">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
          </div>
          <form action={action} className="grid gap-4" noValidate>
            <input type="hidden" name="callbackUrl" value={callbackUrl} />
            <input type="hidden" name="email" value={email} />
            <input type="hidden" name="password" value={password} />
            <input type="hidden" name="step" value="code" />
            <FormError message={state.error} />
            <Field label="Authentication code">
              <Input name="code" inputMode="numeric" autoComplete="one-time-code" required autoFocus maxLength={40} />
            </Field>
            <Button type="submit" pending={pending} className="w-full">
              Verify
            </Button>
          </form>
          <p className="text-center text-sm text-zinc-500">
            {/* A full page load, so the form (and the password it holds) starts over. */}
            <a href={`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`} className="font-medium text-indigo-600 hover:underline">
              Use another account
            </a>
          </p>
        </CardBody>
      </Card>
    );
  }

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
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </Field>
          <div className="grid gap-1.5">
            <Field label="Password">
              <Input
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
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
