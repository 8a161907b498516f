import { SearchX } from 'lucide-react';
import { WayOut } from '@/components/console/way-out';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';

/**
 * A section this role may not see, inside an org the person does belong to: the shell stays so
 * they can go elsewhere. (An org they do not belong to gets the root 404, outside the shell.)
 */
export default function ConsoleNotFound() {
  return (
    <Card>
      <EmptyState
        icon={SearchX}
        title="Page not found"
        description="It does not exist, or your role in this organization does not include it. Ask an admin of the organization if you need access."
        action={<WayOut />}
      />
    </Card>
  );
}
