'use client';

import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';

/** The owner's switch: every member must use two-factor sign-in to use this org. */
export function TwoFactorPolicyCard({ initial, canChange }: { initial: boolean; canChange: boolean }) {
  const { org } = useOrg();
  const [on, setOn] = React.useState(initial);
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  async function toggle() {
    setPending(true);
    setError(null);
    try {
      const r = await api<{ requireTwoFactor: boolean }>('/api/org-security', { method: 'PATCH', org: org.slug, body: { requireTwoFactor: !on } });
      setOn(r.requireTwoFactor);
      toast.success(r.requireTwoFactor ? 'Two-factor sign-in is now required' : 'Two-factor sign-in is no longer required');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }
  return (
    <Card>
      <CardHeader
        title="Two-factor sign-in"
        description={
          on
            ? 'Required: members without it are sent to set it up before they can use this organization. API keys are not affected.'
            : 'Not required. Owners can require every member to sign in with a code from an authenticator app.'
        }
        actions={
          canChange ? (
            <Button variant="outline" pending={pending} onClick={toggle}>
              {on ? 'Stop requiring' : 'Require for all members'}
            </Button>
          ) : null
        }
      />
      {error ? (
        <CardBody>
          <FormError message={error} />
        </CardBody>
      ) : null}
    </Card>
  );
}
