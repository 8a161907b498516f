import { KeyRound } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ResetPasswordForm } from '@/components/auth/reset-password-form';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { RESET_TOKEN_MINUTES, resetTokenState } from '@/lib/users/password-reset';

// The token is in the path: never send it on to another site as a Referer.
export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

/** The link from a reset e-mail. Checked before the form is shown; used up only by a reset. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await resetTokenState(token);
  if (state === 'valid') return <ResetPasswordForm token={token} />;
  return (
    <Card>
      <EmptyState
        icon={KeyRound}
        title={state === 'expired' ? 'This reset link has expired' : 'This reset link cannot be used'}
        description={
          state === 'expired'
            ? `Reset links work for ${RESET_TOKEN_MINUTES} minutes. Ask for a new one.`
            : 'It is not valid, was already used, or a newer link replaced it. Ask for a new one.'
        }
        action={
          <Button asChild>
            <Link href="/forgot-password">Send a new link</Link>
          </Button>
        }
      />
    </Card>
  );
}
