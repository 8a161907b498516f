import Link from 'next/link';
import { WarrenMark } from '@/components/brand';
import { Button } from '@/components/ui/button';

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <WarrenMark className="size-10" />
      <p className="text-sm font-medium text-indigo-600">404</p>
      <h1 className="text-xl font-semibold text-zinc-900">Page not found</h1>
      <p className="max-w-sm text-sm text-zinc-500">
        It does not exist, or you do not have access to it. If a teammate sent you here, ask them to invite you to their
        organization.
      </p>
      <Button asChild variant="outline">
        <Link href="/">Back to the console</Link>
      </Button>
    </main>
  );
}
