import { MailX } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { WarrenMark } from '@/components/brand';
import { AcceptInvitation } from '@/components/members/accept-invitation';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { getSessionUser } from '@/lib/auth/session';
import { isAppError } from '@/lib/errors';
import { type InvitationPreview, previewInvitation } from '@/lib/invitations/invitations';
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/lib/client/roles';

export const metadata: Metadata = { title: 'Invitation' };

/**
 * An invitation link. Anyone may see which org and role it is for; accepting needs an account,
 * so signed-out visitors sign in or sign up and come back here (callbackUrl).
 */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const here = `/invite/${encodeURIComponent(token)}`;
  let preview: InvitationPreview | null = null;
  let problem: string | null = null;
  try {
    preview = await previewInvitation(token);
  } catch (err) {
    if (!isAppError(err)) throw err;
    problem = err.message;
  }
  const user = await getSessionUser();

  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <WarrenMark className="mb-8 size-9" />
      <Card className="w-full max-w-md">
        {preview ? (
          <CardBody className="grid gap-5 py-6">
            <div className="grid gap-2">
              <p className="text-sm text-zinc-500">You are invited to join</p>
              <h1 className="text-xl font-semibold text-zinc-900" data-testid="invite-org-name">
                {preview.org.name}
              </h1>
              <p className="flex flex-wrap items-center gap-2 text-sm text-zinc-600">
                as <Badge tone="accent">{ROLE_LABELS[preview.role]}</Badge>
                <span className="text-zinc-500">{ROLE_DESCRIPTIONS[preview.role]}</span>
              </p>
              {preview.email ? <p className="text-sm text-zinc-500">This invitation is for {preview.email}.</p> : null}
            </div>
            {user ? (
              <AcceptInvitation token={token} signedInAs={user.email} />
            ) : (
              <div className="grid gap-2">
                <p className="text-sm text-zinc-600">Sign in or create an account to accept.</p>
                <Button asChild>
                  <Link href={`/sign-up?callbackUrl=${encodeURIComponent(here)}`}>Create an account</Link>
                </Button>
                <Button asChild variant="outline">
                  <Link href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`}>I already have an account</Link>
                </Button>
              </div>
            )}
          </CardBody>
        ) : (
          <EmptyState
            icon={MailX}
            title="This invitation cannot be used"
            description={`${problem ?? 'This invitation link is not valid'}. Ask the person who invited you for a new link.`}
            action={
              <Button asChild variant="outline">
                <Link href="/">Go to the console</Link>
              </Button>
            }
          />
        )}
      </Card>
    </main>
  );
}
