import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { adminOrg } from '@/lib/billing/admin-org';
import { TENANT_TABS, type TenantTab } from '@/components/admin/tenant/tabs';
import { TenantView } from '@/components/admin/tenant/tenant-view';

export const metadata: Metadata = { title: 'Organization · Platform admin' };

export default async function AdminOrgPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ tab?: string | string[] }> }) {
  const { id } = await params;
  // A tenant that does not exist is a 404 page, not an empty shell with an error in it.
  await adminOrg(id).catch(() => notFound());
  const raw = (await searchParams).tab;
  const tab = (TENANT_TABS.find((t) => t.id === raw)?.id ?? 'overview') as TenantTab;
  return <TenantView id={id} tab={tab} />;
}
