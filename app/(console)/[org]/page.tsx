import type { Metadata } from 'next';
import { OrgHome } from '@/components/home/org-home';
import { loadConsoleContext } from '../console-context';

export const metadata: Metadata = { title: 'Home' };

/** The org's home: what runs now, what this month costs, what happened lately, and how to start. */
export default async function OrgHomePage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const { org: current } = await loadConsoleContext(org);
  return <OrgHome name={current.name} />;
}
