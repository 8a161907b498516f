import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { collectBuilds } from '@/runner/images/build-gc';
import type { BuildSteps } from '@/runner/images/build-steps';
import { type DebianBases, PACKAGE_NAME } from '@/runner/images/debian-base';
import type { ImageStore } from '@/runner/images/image-store';
import { discardBody, json, readJson } from './http';
import type { Router } from './router';

const pullSchema = z.strictObject({
  reference: z.string().min(1).max(255),
  username: z.string().min(1).max(256).optional(),
  password: z.string().max(4096).optional(),
  pullId: z.string().regex(/^[a-z0-9]{3,64}$/).optional(),
});
const sandboxUser = z.enum(['root', 'user']);
const configSchema = z.strictObject({
  env: z.record(z.string(), z.string()),
  workingDir: z.string().nullable(),
  user: z.string().nullable(),
  entrypoint: z.array(z.string()),
  cmd: z.array(z.string()),
});
const absPath = z.string().startsWith('/').max(4096).refine((p) => !p.includes('\0'), 'no NUL bytes');
const stepSchema = z.strictObject({
  parent: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  key: z.string().regex(/^[a-f0-9]{64}$/),
  step: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('config') }),
    z.strictObject({
      type: z.literal('run'),
      cmd: z.array(z.string().max(256 * 1024)).min(1).max(1000),
      shell: z.boolean(),
      user: sandboxUser,
      env: z.record(z.string(), z.string()),
      cwd: absPath.nullable(),
    }),
    z.strictObject({
      type: z.literal('copy'),
      context: z.string().regex(/^[a-f0-9]{64}$/),
      src: z.array(z.string().min(1).max(4096)).min(1).max(100),
      dest: z.string().min(1).max(4096),
      cwd: absPath.nullable(),
    }),
  ]),
  config: configSchema,
  resources: z.strictObject({ cpu: z.number().positive().max(64).optional(), memoryMb: z.number().int().min(64).optional(), diskMb: z.number().int().min(64).optional() }),
  timeoutSec: z.number().int().min(1).max(4 * 3600),
  outputId: z.string().regex(/^[a-f0-9]{32}$/).optional(),
});
const debianSchema = z.strictObject({
  suite: z.literal('bookworm'),
  variant: z.enum(['minbase', 'apt', 'important', 'standard']),
  include: z.array(z.string().regex(PACKAGE_NAME, 'a Debian package name')).max(200),
});
const hex64 = z.string().regex(/^[a-f0-9]{64}$/);
const gcSchema = z.strictObject({
  keep: z.array(z.string().regex(/^sha256:[a-f0-9]{64}$/)).max(100_000),
  contexts: z.array(hex64).max(100_000),
});
const contextParam = z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 (64 hex digits)');
const digestParam = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'an image digest (sha256:…)');

/** OCI images pulled onto this runner (their layers are shared by every sandbox made from them). */
export function imageRoutes(router: Router, images: ImageStore, builds?: BuildSteps, debian?: DebianBases): void {
  if (debian) router.on('POST', '/v1/images/debian', async ({ req }) => json(200, await debian.build(await readJson(req, debianSchema))));
  if (builds) {
    router
      .on('PUT', '/v1/build-contexts/:digest', async ({ req, params }) => {
        await builds.putContext(contextParam.parse(params.digest), req as AsyncIterable<Buffer>);
        return json(201, { ok: true });
      })
      .on('GET', '/v1/build-contexts/:digest', async ({ req, params }) => {
        discardBody(req);
        return json(200, { present: builds.hasContext(contextParam.parse(params.digest)) });
      })
      .on('POST', '/v1/images/build-step', async ({ req }) => json(200, await builds.step(await readJson(req, stepSchema))))
      .on('GET', '/v1/images/build-output/:outputId', async ({ params, url }) => {
        const from = Number(url.searchParams.get('from') ?? 0);
        if (!Number.isInteger(from) || from < 0) throw new AppError('validation_failed', 'from must be a character offset (an integer ≥ 0)');
        return json(200, builds.output(z.string().regex(/^[a-f0-9]{32}$/).parse(params.outputId), from));
      })
      .on('POST', '/v1/images/build-gc', async ({ req }) => json(200, await collectBuilds(builds, await readJson(req, gcSchema, 16 * 1024 ** 2))));
  }
  router
    .on('POST', '/v1/images/pull', async ({ req }) => json(201, await images.pull(await readJson(req, pullSchema))))
    .on('POST', '/v1/images/pulls/:pullId/cancel', async ({ req, params }) => {
      discardBody(req);
      return json(200, { cancelled: images.cancel(params.pullId!) });
    })
    .on('GET', '/v1/images', async () => json(200, { images: images.list() }))
    .on('GET', '/v1/images/:digest', async ({ params }) => json(200, images.get(digestParam.parse(params.digest))))
    .on('DELETE', '/v1/images/:digest', async ({ req, params }) => {
      discardBody(req);
      return json(200, { ok: true, ...images.delete(digestParam.parse(params.digest)) });
    });
}
