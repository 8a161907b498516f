'use client';

import Link from 'next/link';
import * as React from 'react';
import { signInWithPassword } from '@/app/(auth)/actions';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ApiError, api, errorMessage } from '@/lib/client/api';
import { type OAuthProvider, OAuthButtons } from './oauth-buttons';

type Props = { callbackUrl: string; providers: OAuthProvider[] };

/**
 * Creates the account through POST /api/signup (which validates and answers per-field errors),
 * then signs in with the same credentials through the Auth.js server action.
 */
export function SignUpForm({ callbackUrl, providers }: Props) {
  const [fieldErrors, setFieldErrors] = React.useState<Record<string, string>>({});
  const [formError, setFormError] = React.useState<string | null>(null);
  const [pending, startTransition] = React.useTransition();
  const signInHref = callbackUrl === '/' ? '/sign-in' : `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const name = String(form.get('name') ?? '').trim();
    const local: Record<string, string> = {};
    if (!email) local.email = 'Enter your e-mail address';
    if (password.length < 8) local.password = 'At least 8 characters';
    setFieldErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;

    startTransition(async () => {
      try {
        await api('/api/signup', { method: 'POST', body: { email, password, ...(name ? { name } : {}) } });
      } catch (err) {
        if (err instanceof ApiError && err.issues.length) setFieldErrors(err.fieldErrors());
        else setFormError(errorMessage(err));
        return;
      }
      const signInForm = new FormData();
      signInForm.set('email', email);
      signInForm.set('password', password);
      signInForm.set('callbackUrl', callbackUrl);
      // On success this navigates away (the action redirects); it only returns on failure.
      const result = await signInWithPassword({ error: null }, signInForm);
      if (result.error) setFormError(`Your account was created, but signing in failed: ${result.error}`);
    });
  }

  return (
    <Card>
      <CardBody className="grid gap-5 py-6">
        <div className="grid gap-1">
          <h1 className="text-lg font-semibold text-zinc-900">Create your account</h1>
          <p className="text-sm text-zinc-500">You get a personal organization to start in.</p>
        </div>
        <OAuthButtons providers={providers} callbackUrl={callbackUrl} />
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormError message={formError} />
          <Field label="Name" error={fieldErrors.name} hint="Optional. Shown to your teammates.">
            <Input name="name" autoComplete="name" maxLength={100} autoFocus />
          </Field>
          <Field label="E-mail" error={fieldErrors.email}>
            <Input name="email" type="email" autoComplete="email" required />
          </Field>
          <Field label="Password" error={fieldErrors.password} hint="At least 8 characters.">
            <Input name="password" type="password" autoComplete="new-password" required minLength={8} />
          </Field>
          <Button type="submit" pending={pending} className="w-full">
            Create account
          </Button>
        </form>
        <p className="text-center text-sm text-zinc-500">
          Already have an account?{' '}
          <Link href={signInHref} className="font-medium text-indigo-600 hover:underline">
            Sign in
          </Link>
        </p>
      </CardBody>
    </Card>
  );
}
