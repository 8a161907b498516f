import type { Metadata } from 'next';
import Link from 'next/link';
import { ChangePasswordCard } from '@/components/account/change-password-card';
import { SessionsCard } from '@/components/account/sessions-card';
import { TwoFactorCard } from '@/components/account/two-factor-card';
import { PageHeader } from '@/components/console/page-header';
import { twoFactorStatus } from '@/lib/account/two-factor';
import { getSessionUser } from '@/lib/auth/session';
import { SLUG_RE } from '@/lib/orgs/slug-rules';

export const metadata: Metadata = { title: 'Account settings' };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ twoFactorFor?: string }> }) {
  const user = (await getSessionUser())!;
  const status = await twoFactorStatus(user.userId);
  const { twoFactorFor } = await searchParams;
  const requiredBy = twoFactorFor && SLUG_RE.test(twoFactorFor) ? twoFactorFor : null;
  return (
    <>
      <PageHeader title="Account settings" description="Your password, the browsers signed in as you, and two-factor sign-in." />
      {requiredBy && !status.enabled ? (
        <p role="alert" data-testid="two-factor-required" className="mb-6 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          The organization <strong>{requiredBy}</strong> requires two-factor sign-in. Turn it on below to continue.
        </p>
      ) : null}
      {requiredBy && status.enabled ? (
        <p className="mb-6 text-sm">
          <Link href={`/${requiredBy}`} className="font-medium text-indigo-700 underline">
            Continue to {requiredBy}
          </Link>
        </p>
      ) : null}
      <div className="grid gap-6">
        <TwoFactorCard initial={status} continueTo={requiredBy ? `/${requiredBy}` : null} />
        <ChangePasswordCard />
        <SessionsCard />
      </div>
    </>
  );
}
