import type { BuildGcInput, BuildGcResult } from '@/runner/images/build-gc';
import type { BuildStepInput, BuildStepResult } from '@/runner/images/build-steps';
import type { DebianSpec } from '@/runner/images/debian-base';
import type { ImageInfo, PullInput } from '@/runner/images/image-store';
import type { Transport } from './transport';

export type { BuildStepInput, BuildStepResult, ImageInfo, PullInput };

/** Images on one runner. A pull downloads and unpacks layers: it gets the snapshot deadline. */
export function imagesApi(t: Transport) {
  const enc = encodeURIComponent;
  return {
    images: {
      pull: (input: PullInput) => t.json<ImageInfo>('POST', '/v1/images/pull', { body: input, deadlineMs: t.timeouts.snapshotMs }),
      /** True when the pull was running and is now stopping (its own call answers `cancelled`). */
      cancel: async (pullId: string) => (await t.json<{ cancelled: boolean }>('POST', `/v1/images/pulls/${enc(pullId)}/cancel`)).cancelled,
      list: async () => (await t.json<{ images: ImageInfo[] }>('GET', '/v1/images')).images,
      get: (digest: string) => t.json<ImageInfo>('GET', `/v1/images/${enc(digest)}`),
      delete: async (digest: string): Promise<void> => {
        await t.json('DELETE', `/v1/images/${enc(digest)}`);
      },
      /** A Debian root filesystem by mmdebstrap (runner/images/debian-base.ts): minutes when cold. */
      debian: (spec: DebianSpec) =>
        t.json<{ image: ImageInfo; cached: boolean; output: string }>('POST', '/v1/images/debian', { body: spec, deadlineMs: 35 * 60_000 }),
      /** Stores a recipe build's context tar on the runner (named by its sha256, hex). */
      putContext: async (sha256: string, tar: Buffer): Promise<void> => {
        await t.json('PUT', `/v1/build-contexts/${enc(sha256)}`, { body: tar, deadlineMs: t.timeouts.snapshotMs });
      },
      hasContext: async (sha256: string) => (await t.json<{ present: boolean }>('GET', `/v1/build-contexts/${enc(sha256)}`)).present,
      /**
       * Collects recipe step records, layers and contexts that nothing kept reaches
       * (runner/images/build-gc.ts): `keep` = image digests of live builds, `contexts` = live contexts.
       */
      gcBuilds: (input: BuildGcInput) => t.json<BuildGcResult>('POST', '/v1/images/build-gc', { body: input, deadlineMs: t.timeouts.snapshotMs }),
      /** A running RUN step's output (named by its `outputId`) from character `from` on. */
      buildStepOutput: (outputId: string, from: number) =>
        t.json<{ text: string; next: number; running: boolean; known: boolean }>('GET', `/v1/images/build-output/${enc(outputId)}?from=${from}`),
      /** One recipe step; a RUN may take as long as its timeout, plus the sandbox's boot and commit. */
      buildStep: (input: BuildStepInput) =>
        t.json<BuildStepResult>('POST', '/v1/images/build-step', { body: input, deadlineMs: input.timeoutSec * 1000 + t.timeouts.snapshotMs }),
    },
  };
}
