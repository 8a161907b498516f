import { z } from 'zod';
import { createSecretBody, updateSecretBody } from '@/lib/schemas/secrets';
import type { DocOperation } from './sandbox-operations';

/** The vault's operations. No response schema has a value field: it is write-only. */
const ts = z.iso.datetime();
export const secretResponse = z.object({
  name: z.string(),
  description: z.string(),
  hosts: z.array(z.string()).describe('Egress-only when non-empty: the sandbox gets `placeholder`, the runner’s proxy puts the value in request headers to these hosts'),
  kind: z.enum(['env', 'egress']),
  placeholder: z.string().nullable(),
  fingerprint: z.string().describe('HMAC of the value under the vault’s key: changes when the value does'),
  last2: z.string().nullable().describe('Last two characters of values of 12 characters or more'),
  createdBy: z.string(),
  createdAt: ts,
  updatedBy: z.string(),
  updatedAt: ts,
  lastUsedAt: ts.nullable(),
  usedBy: z.object({ sandboxes: z.number().int(), shares: z.number().int(), templates: z.number().int() }),
});
const usage = z.object({
  sandboxes: z.array(z.object({ id: z.string(), state: z.string() })),
  shares: z.array(z.object({ id: z.string(), label: z.string().nullable() })),
  templates: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const secretOperations: DocOperation[] = [
  { method: 'get', path: '/secrets', summary: 'List the org’s secrets (names, hosts, fingerprints; never a value)', permission: 'secrets:read', response: z.object({ secrets: z.array(secretResponse) }) },
  {
    method: 'post',
    path: '/secrets',
    summary: 'Create a secret (409 if the name exists); with hosts it is egress-only',
    permission: 'secrets:write',
    body: createSecretBody,
    status: 201,
    response: z.object({ secret: secretResponse }),
  },
  { method: 'get', path: '/secrets/{name}', summary: 'One secret, with the sandboxes and demo links that use it', permission: 'secrets:read', response: z.object({ secret: secretResponse.extend({ usage }) }) },
  {
    method: 'patch',
    path: '/secrets/{name}',
    summary: 'Replace the value, the description or the hosts (running sandboxes: egress-only secrets at once, env secrets at their next start)',
    permission: 'secrets:write',
    body: updateSecretBody,
    response: z.object({ secret: secretResponse }),
  },
  { method: 'delete', path: '/secrets/{name}', summary: 'Delete a secret (egress-only ones stop being put in at once)', permission: 'secrets:write', response: z.object({ name: z.string(), usage }) },
];
