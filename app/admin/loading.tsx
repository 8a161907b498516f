import { Skeleton, TableSkeleton } from '@/components/ui/spinner';

export default function AdminLoading() {
  return (
    <div className="grid gap-6">
      <div className="grid gap-2">
        <Skeleton className="h-6 w-48" />
        <Skeleton className="h-4 w-80" />
      </div>
      <div className="rounded-lg border border-zinc-200 bg-white">
        <TableSkeleton />
      </div>
    </div>
  );
}
