'use client';

import { MailCheck } from 'lucide-react';
import Link from 'next/link';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useApiForm } from '@/lib/client/use-api-form';

/**
 * Asks for a reset link. The server answers the same for every address (it never says whether
 * an account exists), so this shows its message as is; only a rate limit is an error.
 */
export function ForgotPasswordForm() {
  const [answer, setAnswer] = React.useState<string | null>(null);
  const form = useApiForm<{ message: string }>({ fields: ['email'], onSuccess: (data) => setAnswer(data.message) });

  return (
    <Card>
      <CardBody className="grid gap-5 py-6">
        <div className="grid gap-1">
          <h1 className="text-lg font-semibold text-zinc-900">Reset your password</h1>
          <p className="text-sm text-zinc-500">We e-mail you a link to choose a new one.</p>
        </div>
        {answer ? (
          <p role="status" data-testid="reset-requested" className="flex items-start gap-2 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
            <MailCheck className="mt-0.5 size-4 shrink-0" aria-hidden />
            {answer}
          </p>
        ) : (
          <form
            className="grid gap-4"
            noValidate
            onSubmit={form.submit((data) => {
              const email = String(data.get('email') ?? '').trim();
              if (!email) return { errors: { email: 'Enter your e-mail address' } };
              return { path: '/api/password-reset', method: 'POST', body: { email } };
            })}
          >
            <FormError message={form.formError} />
            <Field label="E-mail" error={form.fieldErrors.email}>
              <Input name="email" type="email" autoComplete="email" required autoFocus maxLength={254} />
            </Field>
            <Button type="submit" pending={form.pending} className="w-full">
              Send reset link
            </Button>
          </form>
        )}
        <p className="text-center text-sm text-zinc-500">
          Remembered it?{' '}
          <Link href="/sign-in" className="font-medium text-indigo-600 hover:underline">
            Sign in
          </Link>
        </p>
      </CardBody>
    </Card>
  );
}
