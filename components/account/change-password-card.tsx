'use client';

import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useApiForm } from '@/lib/client/use-api-form';

/** Current password required; on success every other browser is signed out (this one stays). */
export function ChangePasswordCard() {
  const queryClient = useQueryClient();
  const form = useApiForm<{ endedSessions: number }>({
    fields: ['currentPassword', 'newPassword'],
    onSuccess: async ({ endedSessions }) => {
      (document.getElementById('change-password-form') as HTMLFormElement | null)?.reset();
      toast.success(`Password changed${endedSessions ? `; ${endedSessions} other session${endedSessions === 1 ? '' : 's'} signed out` : ''}`);
      await queryClient.invalidateQueries({ queryKey: ['account-sessions'] });
    },
  });
  return (
    <Card>
      <CardHeader title="Password" description="Changing it signs you out everywhere else." />
      <CardBody>
        <form
          id="change-password-form"
          className="grid max-w-sm gap-4"
          noValidate
          onSubmit={form.submit((data) => {
            const currentPassword = String(data.get('currentPassword') ?? '');
            const newPassword = String(data.get('newPassword') ?? '');
            const confirm = String(data.get('confirmPassword') ?? '');
            if (newPassword !== confirm) return { errors: { confirmPassword: 'The two new passwords differ' } };
            return { path: '/api/account/password', method: 'POST', body: { currentPassword, newPassword } };
          })}
        >
          <FormError message={form.formError} />
          <Field label="Current password" error={form.fieldErrors.currentPassword}>
            <Input name="currentPassword" type="password" autoComplete="current-password" required />
          </Field>
          <Field label="New password" error={form.fieldErrors.newPassword} hint="At least 8 characters.">
            <Input name="newPassword" type="password" autoComplete="new-password" required minLength={8} />
          </Field>
          <Field label="Confirm new password" error={form.fieldErrors.confirmPassword}>
            <Input name="confirmPassword" type="password" autoComplete="new-password" required />
          </Field>
          <div>
            <Button type="submit" pending={form.pending}>
              Change password
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
