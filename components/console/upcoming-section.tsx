import type { LucideIcon } from 'lucide-react';
import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from './page-header';

type Props = {
  title: string;
  description: string;
  icon: LucideIcon;
  emptyTitle: string;
  /** What this page will hold, in plain words. */
  coming: string;
  /** What the person can do today instead, with a link. */
  next?: { label: string; href: string; text: string };
};

/** A section whose feature is not built yet: says so plainly and points at what works now. */
export function UpcomingSection({ title, description, icon, emptyTitle, coming, next }: Props) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <Card>
        <EmptyState
          icon={icon}
          title={emptyTitle}
          description={
            <div className="grid gap-2">
              <p>{coming}</p>
              {next ? <p>{next.text}</p> : null}
            </div>
          }
          action={
            next ? (
              <Button asChild variant="outline">
                <Link href={next.href}>{next.label}</Link>
              </Button>
            ) : null
          }
        />
      </Card>
    </>
  );
}
