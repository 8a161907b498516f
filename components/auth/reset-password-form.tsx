'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useApiForm } from '@/lib/client/use-api-form';

/**
 * New password, twice. The rules are the sign-up rules (the server checks them again); on
 * success every session ends, this browser's too, so the next step is signing in.
 */
export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  const form = useApiForm<{ ok: true }>({
    fields: ['password'],
    onSuccess: () => router.push('/sign-in?reset=1'),
  });

  return (
    <Card>
      <CardBody className="grid gap-5 py-6">
        <div className="grid gap-1">
          <h1 className="text-lg font-semibold text-zinc-900">Choose a new password</h1>
          <p className="text-sm text-zinc-500">This signs you out of Warren everywhere.</p>
        </div>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={form.submit((data) => {
            const password = String(data.get('password') ?? '');
            const confirm = String(data.get('confirm') ?? '');
            const errors: Record<string, string> = {};
            if (password.length < 8) errors.password = 'At least 8 characters';
            else if (password !== confirm) errors.confirm = 'The two passwords differ';
            if (Object.keys(errors).length) return { errors };
            return { path: '/api/password-reset/confirm', method: 'POST', body: { token, password } };
          })}
        >
          <FormError message={form.formError} />
          <Field label="New password" error={form.fieldErrors.password} hint="At least 8 characters.">
            <Input name="password" type="password" autoComplete="new-password" required minLength={8} autoFocus />
          </Field>
          <Field label="Confirm password" error={form.fieldErrors.confirm}>
            <Input name="confirm" type="password" autoComplete="new-password" required />
          </Field>
          <Button type="submit" pending={form.pending} className="w-full">
            Set new password
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}
