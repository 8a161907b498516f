import { z } from 'zod';
import { createTemplateBody, defaultTemplateBody, followQuery, rebuildBody, saveAsTemplateBody, updateTemplateBody } from '@/lib/schemas/templates';
import type { DocOperation } from './sandbox-operations';

/** Templates (README: Templates) and their builds. */
const ts = z.iso.datetime();
const buildSummary = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  imageDigest: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: ts,
  finishedAt: ts.nullable(),
});
export const templateResponse = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  default: z.boolean(),
  builtin: z.boolean(),
  public: z.boolean().describe('A platform template every org sees (read-only)'),
  source: z.union([
    z.object({ type: z.literal('host') }),
    z.object({ type: z.literal('image'), image: z.string() }),
    z.object({ type: z.literal('snapshot'), snapshotId: z.string() }).describe('Saved from a snapshot (or a sandbox)'),
    z.object({
      type: z.literal('recipe'),
      from: z.string(),
      dockerfile: z.string().nullable(),
      steps: z.array(z.record(z.string(), z.unknown())).nullable().describe('The parsed steps of a JSON recipe ({op, …})'),
      context: z.object({ sha256: z.string(), bytes: z.number().int() }).nullable(),
    }),
    z.object({ type: z.literal('debian'), suite: z.string(), variant: z.string(), include: z.array(z.string()) }),
  ]),
  registryAuth: z.object({ username: z.string(), passwordSecret: z.string() }).nullable(),
  startCommand: z.boolean(),
  readyCommand: z.string().nullable().describe('Must exit 0 in a new sandbox before its create answers'),
  readyTimeoutSec: z.number().int(),
  isolation: z.enum(['container', 'gvisor']).nullable().describe('The level its sandboxes get when a create names none; null: the org default (container, or gvisor when the plan requires it)'),
  status: z.enum(['building', 'ready', 'failed']),
  currentBuild: buildSummary.nullable().describe('The build new sandboxes get: the latest that succeeded'),
  lastBuild: buildSummary.nullable(),
  sizeBytes: z.number().int().nullable(),
  usedBy: z.object({ sandboxes: z.number().int(), shares: z.number().int() }),
  createdBy: z.string().nullable(),
  createdAt: ts.nullable(),
});
const imageConfig = z.object({
  env: z.record(z.string(), z.string()),
  workingDir: z.string().nullable(),
  user: z.string().nullable(),
  entrypoint: z.array(z.string()),
  cmd: z.array(z.string()),
});
export const buildResponse = z.object({
  id: z.string(),
  templateId: z.string(),
  version: z.number().int(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  image: z.string(),
  imageDigest: z.string().nullable(),
  imageConfig: imageConfig.nullable(),
  sizeBytes: z.number().int().nullable(),
  runnerId: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  log: z.string().describe('Timestamped lines, kept after the build'),
  createdBy: z.string(),
  createdAt: ts,
  startedAt: ts.nullable(),
  finishedAt: ts.nullable(),
});
const buildEvent = z.union([
  z.object({ type: z.literal('log'), line: z.string() }),
  z.object({ type: z.literal('status'), status: z.enum(['succeeded', 'failed', 'cancelled']), imageDigest: z.string().nullable(), error: z.object({ code: z.string(), message: z.string() }).nullable() }),
]);

const tpl = '/templates/{id}';
export const templateOperations: DocOperation[] = [
  { method: 'get', path: '/templates', summary: 'Templates a sandbox can start from: the org’s and the platform’s (debian, alias base), and the built-in host one where it is on', permission: 'sandboxes:read', response: z.object({ templates: z.array(templateResponse) }) },
  {
    method: 'post',
    path: '/templates',
    summary: 'Create a template from an OCI image or a recipe (Dockerfile or JSON steps, with an optional base64 tar context); its first build starts at once',
    permission: 'sandboxes:write',
    body: createTemplateBody,
    status: 201,
    response: z.object({ template: templateResponse, buildId: z.string() }),
  },
  { method: 'get', path: tpl, summary: 'One template (by id or name)', permission: 'sandboxes:read', response: z.object({ template: templateResponse }) },
  { method: 'patch', path: tpl, summary: 'Change a template; a new image takes effect with the next build', permission: 'sandboxes:write', body: updateTemplateBody, response: z.object({ template: templateResponse }) },
  { method: 'delete', path: tpl, summary: 'Delete a template (409 while sandboxes or demo links use it)', permission: 'sandboxes:delete', response: z.object({ ok: z.literal(true) }) },
  { method: 'get', path: `${tpl}/builds`, summary: 'Build history, newest first', permission: 'sandboxes:read', response: z.object({ builds: z.array(buildResponse) }) },
  { method: 'post', path: `${tpl}/builds`, summary: 'Rebuild: pull the image again (queued per runner); a recipe re-runs only from its first changed step', permission: 'sandboxes:write', body: rebuildBody, status: 202, response: z.object({ build: buildResponse }) },
  {
    method: 'get',
    path: `${tpl}/builds/{buildId}`,
    summary: 'One build with its log; follow=1 streams the log as NDJSON until it ends',
    permission: 'sandboxes:read',
    query: followQuery,
    response: z.object({ build: buildResponse }),
    ndjson: buildEvent,
  },
  {
    method: 'post',
    path: `${tpl}/builds/{buildId}/cancel`,
    summary: 'Cancel a queued or running build: its pull is stopped on the runner and nothing is stored (409 once it ended)',
    permission: 'sandboxes:write',
    response: z.object({ build: buildResponse }),
  },
  {
    method: 'post',
    path: '/sandboxes/{id}/template',
    summary: 'Save a sandbox as a template: a snapshot of it now, which the template keeps',
    permission: 'sandboxes:write',
    body: saveAsTemplateBody,
    status: 201,
    response: z.object({ template: templateResponse }),
  },
  {
    method: 'post',
    path: '/snapshots/{id}/template',
    summary: 'Save a snapshot as a template (the snapshot cannot be deleted while the template lives)',
    permission: 'sandboxes:write',
    body: saveAsTemplateBody,
    status: 201,
    response: z.object({ template: templateResponse }),
  },
  {
    method: 'put',
    path: '/org/default-template',
    summary: 'Set the template a create that names none uses (null: the platform default, WARREN_DEFAULT_TEMPLATE)',
    permission: 'org:update',
    body: defaultTemplateBody,
    response: z.object({ defaultTemplate: z.string() }),
  },
];
