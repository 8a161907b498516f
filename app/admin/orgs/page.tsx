import { redirect } from 'next/navigation';

/** The tenants list lives at /admin; /admin/orgs is where people look for it after a tenant's page. */
export default function AdminOrgsPage() {
  redirect('/admin');
}
