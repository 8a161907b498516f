import Link from 'next/link';
/** Warren's mark: a burrow entrance (an arch over a floor line), drawn inline so it needs no asset. */
export function WarrenMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden focusable="false">
      <rect width="32" height="32" rx="7" className="fill-indigo-600" />
      <path d="M8 23v-6a8 8 0 0 1 16 0v6" fill="none" stroke="white" strokeWidth="3" strokeLinecap="round" />
      <path d="M6 24h20" stroke="white" strokeWidth="2.5" strokeLinecap="round" opacity="0.7" />
    </svg>
  );
}

/** The header's way home on pages outside an org (account, platform admin): mark and name. */
export function BrandHomeLink() {
  return (
    <Link href="/" className="flex items-center gap-2" aria-label="Warren: back to the console">
      <WarrenMark className="size-7" />
      <span className="font-semibold">Warren</span>
    </Link>
  );
}
