import { z } from 'zod';
import { idempotencyKeyParam, operations as orgOperations } from '@/lib/schemas/openapi';
import { billingOperations } from './billing-operations';
import { type DocOperation, sandboxOperations } from './sandbox-operations';
import { stripeOperations } from './stripe-operations';
import { usageOperations } from './usage-operations';
import { secretOperations } from './secret-operations';
import { templateOperations } from './template-operations';

/**
 * The /api/v1 OpenAPI 3.1 document, generated from the zod schemas the handlers validate with
 * (request bodies and queries) plus response schemas for the sandbox API. The org, members,
 * keys, audit and share operations come from lib/schemas/openapi.ts.
 */
export const allOperations: DocOperation[] = [...orgOperations, ...sandboxOperations, ...usageOperations, ...billingOperations, ...stripeOperations, ...secretOperations, ...templateOperations];

const toSchema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};

const PATH_PARAMS: Record<string, Record<string, unknown>> = {
  id: { type: 'string', pattern: '^[a-z0-9]{3,64}$' },
  port: { type: 'integer', minimum: 1, maximum: 65535 },
  pid: { type: 'integer', minimum: 1 },
  name: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]{0,127}$' },
};

function operationObject(op: DocOperation) {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: PATH_PARAMS[m[1]!] ?? { type: 'string' },
  }));
  const query = op.query ? toSchema(op.query, 'input') : null;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const queryParams = Object.entries((query?.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
  }));
  const ok: Record<string, unknown> = { description: 'OK' };
  if (op.ndjsonOnly) ok.content = { 'application/x-ndjson': { schema: toSchema(op.ndjsonOnly, 'output'), description: 'One JSON event per line' } };
  else if (op.bytes === 'response') ok.content = { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
  else {
    const content: Record<string, unknown> = { 'application/json': { schema: op.response ? toSchema(op.response, 'output') : { type: 'object' } } };
    if (op.ndjson) content['application/x-ndjson'] = { schema: toSchema(op.ndjson, 'output'), description: 'One JSON event per line' };
    ok.content = content;
  }
  let requestBody: unknown;
  if (op.bytes === 'request') requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } };
  else if (op.body) requestBody = { required: true, content: { 'application/json': { schema: toSchema(op.body, 'input') } } };
  return {
    summary: op.summary,
    description: `Needs the \`${op.permission}\` permission.`,
    parameters: [...params, ...queryParams, ...(op.idempotent ? [idempotencyKeyParam] : [])],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(op.status ?? 200)]: ok,
      default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
    },
  };
}

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of allOperations) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Warren API', version: '1', description: 'Errors are `{"error":{"code","message","details"?}}`. Another org’s resource answers 404. 402 payment_required / spend_limit_reached when the org cannot pay, 403 org_suspended, 429 quota_exceeded (details: limit, max, current) or rate_limited (Retry-After).' },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An org API key, wrn_…' } } },
    security: [{ apiKey: [] }],
    paths,
  };
}
