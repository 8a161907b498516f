'use client';

import './globals.css';

/** Last resort when the root layout itself fails: it replaces the whole document, so it brings its own html and body. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center font-sans">
        <h1 className="text-xl font-semibold text-zinc-900">Warren could not load this page</h1>
        <p className="max-w-sm text-sm text-zinc-500">
          Try again. If it keeps happening, give your administrator this reference:{' '}
          <code className="font-mono">{error.digest ?? 'n/a'}</code>
        </p>
        <button
          type="button"
          onClick={reset}
          className="h-9 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Try again
        </button>
      </body>
    </html>
  );
}
