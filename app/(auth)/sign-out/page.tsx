import type { Metadata } from 'next';
import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Card, CardBody } from '@/components/ui/card';
import { signOutAction } from '../actions';

export const metadata: Metadata = { title: 'Sign out' };

export default function SignOutPage() {
  return (
    <Card>
      <CardBody className="grid gap-4 py-6">
        <div className="grid gap-1">
          <h1 className="text-lg font-semibold text-zinc-900">Sign out of Warren?</h1>
          <p className="text-sm text-zinc-500">Your sandboxes keep running; API keys stay valid.</p>
        </div>
        <form action={signOutAction} className="grid gap-2">
          <Button type="submit" variant="secondary" className="w-full">
            Sign out
          </Button>
          <Button asChild variant="ghost" className="w-full">
            <Link href="/">Cancel</Link>
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}
