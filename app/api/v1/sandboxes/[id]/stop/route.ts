import { lifecycleRoute } from '@/lib/sandboxes/route-helpers';

export const POST = lifecycleRoute('stop');
