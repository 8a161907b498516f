import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Reading what `skopeo copy … oci:DIR` wrote: index → manifest → config. Every blob is named by
 * its digest and skopeo has verified each against it; only digests of the expected shape are
 * ever turned into paths.
 */
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'a sha256 digest');
const descriptor = z.object({ mediaType: z.string(), digest, size: z.number().int().nonnegative() });
const indexSchema = z.object({ manifests: z.array(descriptor).min(1) });
const manifestSchema = z.object({ config: descriptor, layers: z.array(descriptor) });
const configSchema = z.object({
  os: z.string().optional(),
  architecture: z.string().optional(),
  config: z
    .object({
      Env: z.array(z.string()).nullish(),
      WorkingDir: z.string().nullish(),
      User: z.string().nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
    })
    .nullish(),
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(digest) }),
});

/** What Warren honours of an image's config. */
export type ImageConfig = {
  env: Record<string, string>;
  workingDir: string | null;
  user: string | null;
  entrypoint: string[];
  cmd: string[];
};

export type OciImage = {
  manifestDigest: string;
  layers: Array<{ mediaType: string; blob: string; size: number; diffId: string }>;
  config: ImageConfig;
};

export const blobPath = (layout: string, d: string) => path.join(layout, 'blobs', 'sha256', digest.parse(d).slice('sha256:'.length));

const readJson = <T>(file: string, schema: z.ZodType<T>, what: string): T => {
  const parsed = schema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`the image's ${what} is not valid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
};

export function readOciImage(layout: string): OciImage {
  const index = readJson(path.join(layout, 'index.json'), indexSchema, 'index');
  const manifestDigest = index.manifests[0]!.digest;
  const manifest = readJson(blobPath(layout, manifestDigest), manifestSchema, 'manifest');
  const config = readJson(blobPath(layout, manifest.config.digest), configSchema, 'config');
  if (config.os && config.os !== 'linux') throw new Error(`the image is for ${config.os}, not linux`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) throw new Error('the image config lists a different number of layers than its manifest');
  const c = config.config ?? {};
  return {
    manifestDigest,
    layers: manifest.layers.map((l, i) => ({ mediaType: l.mediaType, blob: blobPath(layout, l.digest), size: l.size, diffId: diffIds[i]! })),
    config: {
      env: parseEnv(c.Env ?? []),
      workingDir: c.WorkingDir || null,
      user: c.User || null,
      entrypoint: c.Entrypoint ?? [],
      cmd: c.Cmd ?? [],
    },
  };
}

function parseEnv(list: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}
