'use client';

import { useRouter } from 'next/navigation';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardFooter, CardHeader } from '@/components/ui/card';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useOrg } from '@/lib/client/org-context';
import { useApiForm } from '@/lib/client/use-api-form';

type Updated = { org: { slug: string; name: string } };

/** Rename the org or change its URL name; a new slug moves the console to the new URL. */
export function GeneralSettingsCard() {
  const { org, can } = useOrg();
  const router = useRouter();
  const editable = can('org:update');
  const form = useApiForm<Updated>({
    fields: ['name', 'slug'],
    onSuccess: ({ org: next }) => {
      toast.success('Organization updated');
      if (next.slug !== org.slug) router.replace(`/${next.slug}/settings`);
      router.refresh();
    },
  });

  return (
    <Card>
      <form
        noValidate
        onSubmit={form.submit((data) => {
          const name = String(data.get('name') ?? '').trim();
          const slug = String(data.get('slug') ?? '').trim();
          const body: Record<string, string> = {};
          if (name !== org.name) body.name = name;
          if (slug !== org.slug) body.slug = slug;
          if (!Object.keys(body).length) return { errors: { name: 'Nothing changed' } };
          return { path: '/api/v1/org', method: 'PATCH', org: org.slug, body };
        })}
      >
        <CardHeader
          title="General"
          description={
            editable ? 'Changing the URL name breaks links to the old one.' : 'Only admins and owners can change these.'
          }
        />
        <CardBody className="grid max-w-lg gap-4">
          <FormError message={form.formError} />
          <Field label="Name" error={form.fieldErrors.name}>
            <Input name="name" defaultValue={org.name} key={`name-${org.name}`} maxLength={100} disabled={!editable} />
          </Field>
          <Field
            label="URL name"
            error={form.fieldErrors.slug}
            hint="Lowercase letters, digits and hyphens. The console lives at /<URL name>."
          >
            <Input name="slug" defaultValue={org.slug} key={`slug-${org.slug}`} maxLength={40} disabled={!editable} />
          </Field>
        </CardBody>
        {editable ? (
          <CardFooter>
            <Button type="submit" pending={form.pending}>
              Save changes
            </Button>
          </CardFooter>
        ) : null}
      </form>
    </Card>
  );
}
