import { redirect } from 'next/navigation';
import { NAV_ITEMS } from '@/components/console/nav-items';
import { can } from '@/lib/auth/permissions';
import { loadConsoleContext } from '../console-context';

/** The org's home is the first section the viewer's role may see (billing members have no sandboxes). */
export default async function OrgHome({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const { role } = await loadConsoleContext(org);
  const first = NAV_ITEMS.find((item) => can(role, item.permission)) ?? NAV_ITEMS[NAV_ITEMS.length - 1]!;
  redirect(`/${org}/${first.segment}`);
}
