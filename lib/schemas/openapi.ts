import { auditQuery } from './audit';
import { z } from 'zod';
import type { Permission } from '@/lib/auth/permissions';
import { createApiKeyBody } from './api-keys';
import { changeRoleBody, createInvitationBody } from './members';
import { deleteOrgBody, updateOrgBody } from './orgs';
import { shareOperations } from './shares';

/**
 * The /api/v1 surface, described once from the same zod schemas the handlers validate with.
 * A feature adds its operations to `operations`; /api/v1/openapi.json renders this list.
 */
export type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string; // OpenAPI style: /members/{userId}
  summary: string;
  permission: Permission;
  body?: z.ZodType;
  query?: z.ZodType;
  status?: number;
  /** Takes an `Idempotency-Key` header (a retry replays the first answer). */
  idempotent?: boolean;
};

/** The header parameter of idempotent operations, as documented in OpenAPI. */
export const idempotencyKeyParam = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Any 1–255 visible ASCII characters. A retry with the same key and body gets the first answer (Idempotent-Replayed: true) for 24 hours; the same key with another body is a 422.',
  schema: { type: 'string', maxLength: 255 },
};

export const operations: Operation[] = [
  { method: 'get', path: '/org', summary: 'The caller’s org and their role in it', permission: 'org:read' },
  {
    method: 'patch',
    path: '/org',
    summary:
      'Rename the org, change its slug, or set stoppedRetentionDays (sandboxes stopped longer are deleted; null keeps them)',
    permission: 'org:update',
    body: updateOrgBody,
  },
  {
    method: 'delete',
    path: '/org',
    summary: 'Delete the org (confirm = its slug)',
    permission: 'org:delete',
    body: deleteOrgBody,
  },
  { method: 'get', path: '/members', summary: 'List members', permission: 'members:read' },
  {
    method: 'patch',
    path: '/members/{userId}',
    summary: 'Change a member’s role',
    permission: 'members:update',
    body: changeRoleBody,
  },
  {
    method: 'delete',
    path: '/members/{userId}',
    summary: 'Remove a member (your own id: leave the org, any role)',
    permission: 'members:remove',
  },
  { method: 'get', path: '/invitations', summary: 'List pending invitations', permission: 'members:invite' },
  {
    method: 'post',
    path: '/invitations',
    summary:
      'Create an invitation link (the token is returned once). With an email it is also e-mailed; mail.status is sent, queued (retrying), failed, or outbox (no SMTP configured)',
    permission: 'members:invite',
    body: createInvitationBody,
    status: 201,
  },
  { method: 'delete', path: '/invitations/{id}', summary: 'Revoke a pending invitation', permission: 'members:invite' },
  { method: 'get', path: '/api-keys', summary: 'List API keys (never the key itself)', permission: 'api_keys:read' },
  {
    method: 'post',
    path: '/api-keys',
    summary: 'Create an API key (the key is returned once)',
    permission: 'api_keys:write',
    body: createApiKeyBody,
    status: 201,
  },
  { method: 'delete', path: '/api-keys/{id}', summary: 'Revoke an API key', permission: 'api_keys:write' },
  {
    method: 'get',
    path: '/audit',
    summary:
      'Audit log, newest first, cursor-paginated; filter by actor, action (or family.*), target and from/to; format=csv streams every match',
    permission: 'audit:read',
    query: auditQuery,
  },
  ...shareOperations,
];

const jsonSchema = (s: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = op.query ? jsonSchema(op.query) : null;
    const queryParams = query
      ? Object.entries((query.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: 'query',
          schema,
        }))
      : [];
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      description: `Needs the \`${op.permission}\` permission.`,
      parameters: [...params, ...queryParams, ...(op.idempotent ? [idempotencyKeyParam] : [])],
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } }
        : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Warren API', version: '1' },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An org API key, wrn_…' } },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}
