import { badRequest } from '@/lib/errors';

/**
 * Templates a sandbox can start from. The runner ships one, `default` (the host's /usr
 * read-only with a minimal /etc of its own); custom templates arrive with the layers feature,
 * and this list is where they will be read from.
 */
export type Template = { id: string; name: string; description: string; default: boolean };

const TEMPLATES: Template[] = [
  {
    id: 'default',
    name: 'Default',
    description: 'Debian userland with python3, node, bash, gcc and git; user `user` (uid 1000), home /home/user',
    default: true,
  },
];

export function listTemplates(): Template[] {
  return TEMPLATES;
}

export function resolveTemplate(id: string | undefined): Template {
  const t = TEMPLATES.find((x) => x.id === (id ?? 'default'));
  if (!t) throw badRequest(`Unknown template ${id}; GET /api/v1/templates lists the available ones`);
  return t;
}
