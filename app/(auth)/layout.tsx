import Link from 'next/link';
import { WarrenMark } from '@/components/brand';

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <Link href="/" className="mb-8 flex items-center gap-2 text-zinc-900">
        <WarrenMark className="size-7" />
        <span className="text-lg font-semibold tracking-tight">Warren</span>
      </Link>
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}
