'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Secret } from '@/lib/client/secret-types';

/**
 * Picks secrets by name for a sandbox or a demo link. `egressOnly`: only secrets with allowed
 * hosts can be picked (a demo link's visitors could read an env secret).
 */
export function SecretPicker({
  value,
  onChange,
  enabled,
  egressOnly = false,
  error,
}: {
  value: string[];
  onChange: (names: string[]) => void;
  enabled: boolean;
  egressOnly?: boolean;
  error?: string;
}) {
  const { org, can } = useOrg();
  const secrets = useQuery({
    queryKey: ['secrets', org.slug],
    queryFn: ({ signal }) => api<{ secrets: Secret[] }>('/api/v1/secrets', { org: org.slug, signal }),
    enabled: enabled && can('secrets:read'),
  });
  if (!can('secrets:read')) return null;
  const list = (secrets.data?.secrets ?? []).filter((s) => !egressOnly || s.kind === 'egress');
  const toggle = (name: string) => onChange(value.includes(name) ? value.filter((n) => n !== name) : [...value, name]);
  return (
    <fieldset className="grid gap-1.5" data-testid="secret-picker">
      <legend className="text-sm font-medium text-zinc-800">Secrets</legend>
      {secrets.isPending ? <p className="text-xs text-zinc-500">Loading…</p> : null}
      {secrets.data && list.length === 0 ? (
        <p className="text-xs text-zinc-500">
          No {egressOnly ? 'egress-only ' : ''}secrets yet.{' '}
          <Link href={`/${org.slug}/secrets`} className="text-indigo-700 underline underline-offset-2">
            Create one
          </Link>
        </p>
      ) : null}
      <div className="grid max-h-40 gap-1 overflow-y-auto">
        {list.map((s) => (
          <label key={s.name} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={value.includes(s.name)} onChange={() => toggle(s.name)} aria-label={s.name} />
            <span className="font-mono">{s.name}</span>
            <span className="truncate text-xs text-zinc-500">
              {s.kind === 'egress' ? `egress-only: ${s.hosts.join(', ')}` : 'environment variable'}
            </span>
          </label>
        ))}
      </div>
      {error ? (
        <p className="text-xs text-red-600" role="alert">
          {error}
        </p>
      ) : (
        <p className="text-xs text-zinc-500">
          {egressOnly
            ? 'Visitors’ sandboxes get a placeholder and egress to these hosts only; the value never enters them.'
            : 'Env secrets are set as variables; egress-only ones are placeholders the egress proxy replaces (they need Egress, with their hosts allowed).'}
        </p>
      )}
    </fieldset>
  );
}
