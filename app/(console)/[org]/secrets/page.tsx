import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { SecretsCard } from '@/components/secrets/secrets-card';
import { CreateSecretButton } from '@/components/secrets/secret-dialog';
import { can } from '@/lib/auth/permissions';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'Secrets' };

export default async function SecretsPage({ params }: { params: Promise<{ org: string }> }) {
  const { role } = await requirePagePermission(params, 'secrets:read');
  return (
    <>
      <PageHeader
        title="Secrets"
        description="Encrypted values for sandboxes: as environment variables, or egress-only — used in requests to the hosts you allow, never readable inside the sandbox. Values are write-only."
        actions={can(role, 'secrets:write') ? <CreateSecretButton /> : null}
      />
      <SecretsCard />
    </>
  );
}
