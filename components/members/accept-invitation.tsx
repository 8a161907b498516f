'use client';

import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { api, errorMessage } from '@/lib/client/api';

type Accepted = { org: { slug: string; name: string }; alreadyMember: boolean };

export function AcceptInvitation({ token, signedInAs }: { token: string; signedInAs: string }) {
  const router = useRouter();
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  async function accept() {
    setPending(true);
    setError(null);
    try {
      const { org, alreadyMember } = await api<Accepted>('/api/invitations/accept', {
        method: 'POST',
        body: { token },
      });
      toast.success(alreadyMember ? `You are already a member of ${org.name}` : `Welcome to ${org.name}`);
      router.push(`/${org.slug}`);
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
      setPending(false);
    }
  }

  return (
    <div className="grid gap-3">
      <FormError message={error} />
      <Button onClick={accept} pending={pending}>
        Accept invitation
      </Button>
      <p className="text-center text-xs text-zinc-500">
        Signed in as {signedInAs}.{' '}
        <a href="/sign-out" className="text-indigo-700 underline underline-offset-2">
          Not you?
        </a>
      </p>
    </div>
  );
}
