import { z } from 'zod';
import { ISOLATION_LEVELS } from '@/db/schema/sandboxes';
import { IMAGE_REFERENCE_HINT, IMAGE_REFERENCE_RE } from './image-reference';
import { label, text } from './common';
import { secretName } from './secrets';
import { MAX_DOCKERFILE_BYTES, recipeStepsSchema } from '@/lib/templates/recipe';

/** Template requests. Names are per org; ids are what sandboxes and demo links name. */
const templateName = z
  .string()
  .trim()
  .regex(/^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/, 'template names are 1–64 lowercase letters, digits, . _ and -, like python-tools');
const imageRef = z
  .string()
  .trim()
  .min(1, 'an image reference is required')
  .max(255, 'image references are at most 255 characters')
  .regex(IMAGE_REFERENCE_RE, `expected ${IMAGE_REFERENCE_HINT}`)
  .describe('OCI image reference: docker.io/library/python:3.12-slim, ghcr.io/org/tool:1, 127.0.0.1:5000/team/app@sha256:…');
const registryAuth = z
  .strictObject({
    username: label(256),
    passwordSecret: secretName.describe('Name of an org secret (Secrets) holding the registry password or token'),
  })
  .describe('Credentials of a private registry: the password stays in the secrets vault');

const readyCommand = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  // A shell line may hold tabs and newlines; no other control character (nor a NUL) has a place.
  .regex(/^(?:[^\p{Cc}\p{Cs}]|[\t\n])*$/u, 'must not contain control characters other than tab and newline')
  .describe('A shell command (sh -c) that must exit 0 in a new sandbox before its create answers, e.g. curl -sf localhost:8000/health');
const isolation = z
  .enum(ISOLATION_LEVELS, { error: 'isolation is container or gvisor' })
  .describe('The isolation its sandboxes get when a create names none (container or gvisor); unset: the org default');
const readyTimeoutSec = z.number().int().min(1).max(300).describe('How long a create waits for the ready command (default 30 s)');
const dockerfile = z
  .string()
  .min(1)
  .max(MAX_DOCKERFILE_BYTES)
  .describe('A Dockerfile: FROM, RUN, COPY/ADD (from the context), ENV, ARG, WORKDIR, USER, CMD, ENTRYPOINT');
const contextBase64 = z
  .base64()
  .describe('The build context COPY reads from: a tar (or tar.gz), base64; at most WARREN_TEMPLATE_CONTEXT_MAX_MB');

export const createTemplateBody = z
  .strictObject({
    name: templateName,
    description: text(500).optional(),
    image: imageRef.optional(),
    dockerfile: dockerfile.optional(),
    steps: recipeStepsSchema.optional(),
    contextBase64: contextBase64.optional(),
    registryAuth: registryAuth.optional(),
    startCommand: z.boolean().optional().describe('Run the image’s Entrypoint + Cmd in the background when a sandbox starts'),
    readyCommand: readyCommand.optional(),
    readyTimeoutSec: readyTimeoutSec.optional(),
    isolation: isolation.optional(),
  })
  .refine((b) => [b.image, b.dockerfile, b.steps].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one source: image, dockerfile or steps',
  });
export type CreateTemplateBody = z.infer<typeof createTemplateBody>;

export const updateTemplateBody = z
  .strictObject({
    name: templateName,
    description: text(500),
    image: imageRef.describe('A new reference: takes effect with the next build'),
    registryAuth: registryAuth.nullable(),
    startCommand: z.boolean(),
    readyCommand: readyCommand.nullable(),
    readyTimeoutSec,
    isolation: isolation.nullable().describe('container, gvisor, or null for the org default'),
    dockerfile: dockerfile.describe('A new recipe (recipe templates only): takes effect with the next build'),
    steps: recipeStepsSchema,
  })
  .partial();

export const rebuildBody = z.strictObject({ contextBase64: contextBase64.optional() });
export type UpdateTemplateBody = z.infer<typeof updateTemplateBody>;

export const followQuery = z.strictObject({ follow: z.enum(['0', '1']).optional() });

/** Save a snapshot (or a sandbox, through a new snapshot) as a template of the org. */
export const saveAsTemplateBody = z.strictObject({
  name: templateName,
  description: text(500).optional(),
  readyCommand: readyCommand.optional(),
  readyTimeoutSec: readyTimeoutSec.optional(),
});
export type SaveAsTemplateBody = z.infer<typeof saveAsTemplateBody>;

/** The org's default template: an id or name (`host` for the built-in one), or null for the platform's default. */
export const defaultTemplateBody = z.strictObject({
  template: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a template id or name').nullable(),
});
