import type { Metadata } from 'next';
import { EmbedTerminal } from '@/components/embed/embed-terminal';

export const metadata: Metadata = { title: 'Terminal', robots: { index: false, follow: false } };

/**
 * Chrome-less and public (no console shell, no session): a full-viewport terminal made to sit in
 * an <iframe>. Whether the link is valid is decided when the terminal connects.
 */
export default async function EmbedPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <main className="stay-dark fixed inset-0 flex flex-col bg-zinc-950">
      <EmbedTerminal token={token} />
    </main>
  );
}
