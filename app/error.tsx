'use client';

import { Button } from '@/components/ui/button';

export default function RootError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <h1 className="text-xl font-semibold text-zinc-900">Something went wrong</h1>
      <p className="max-w-sm text-sm text-zinc-500">
        Try again. If it keeps happening, give your administrator this reference:{' '}
        <code className="font-mono">{error.digest ?? 'n/a'}</code>
      </p>
      <Button onClick={reset}>Try again</Button>
    </main>
  );
}
