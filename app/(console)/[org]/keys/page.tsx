import type { Metadata } from 'next';
import { ApiKeysCard } from '@/components/api-keys/api-keys-card';
import { CreateApiKeyButton } from '@/components/api-keys/create-api-key-dialog';
import { PageHeader } from '@/components/console/page-header';
import { can } from '@/lib/auth/permissions';
import { requirePagePermission } from '../../console-context';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage({ params }: { params: Promise<{ org: string }> }) {
  const { role } = await requirePagePermission(params, 'api_keys:read');
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys let agents and scripts call the Warren API as this organization: send{' '}
            <code className="rounded bg-zinc-100 px-1 font-mono text-xs text-zinc-800">Authorization: Bearer wrn_…</code>.
          </>
        }
        actions={can(role, 'api_keys:write') ? <CreateApiKeyButton /> : null}
      />
      <ApiKeysCard />
    </>
  );
}
