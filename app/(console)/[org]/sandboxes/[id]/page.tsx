import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SandboxDetail } from '@/components/sandboxes/sandbox-detail';
import { TABS, type Tab } from '@/components/sandboxes/tabs';
import { requirePagePermission } from '../../../console-context';

export const metadata: Metadata = { title: 'Sandbox' };

export default async function SandboxPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string; id: string }>;
  searchParams: Promise<{ tab?: string }>;
}) {
  await requirePagePermission(params, 'sandboxes:read');
  const { id } = await params;
  if (!/^[a-z0-9]{3,40}$/.test(id)) notFound();
  const { tab } = await searchParams;
  const initialTab: Tab = TABS.includes(tab as Tab) ? (tab as Tab) : 'terminal';
  return <SandboxDetail id={id} initialTab={initialTab} />;
}
