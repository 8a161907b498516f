import { errorMessage } from '@/lib/client/api';
import { FormError } from './field';
import { TableSkeleton } from './spinner';

/** What a list card shows while its query loads or after it failed: a table-shaped placeholder,
 * or the error with a way to try again. The card still renders its own empty state and rows. */
export function QueryStates({
  query,
  columns,
  rows,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  columns: number;
  rows?: number;
}) {
  if (query.isPending) return <TableSkeleton columns={columns} rows={rows} />;
  if (!query.isError) return null;
  return (
    <div className="p-4">
      <FormError message={errorMessage(query.error)} onRetry={() => void query.refetch()} />
    </div>
  );
}
