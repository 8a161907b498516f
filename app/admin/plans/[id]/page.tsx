import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PlanPage } from '@/components/admin/plans/plan-page';
import { getPlanRow } from '@/lib/billing/plans';

export const metadata: Metadata = { title: 'Plan · Platform admin' };

export default async function AdminPlanPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await getPlanRow(id).catch(() => notFound());
  return <PlanPage id={id} />;
}
