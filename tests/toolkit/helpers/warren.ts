import { inject } from 'vitest';
import { Sandbox, type CreateOptions } from '@/sdk/src/index';

/** The project's Warren (tests/setup/warren.ts) and helpers every toolkit test uses. */
export const warren = () => inject('warren');

/** The environment an agent's process would have: the API's URL and a developer key. */
export const agentEnv = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  WARREN_API_URL: warren().url,
  WARREN_API_KEY: warren().key,
  ...extra,
});

/** Sandboxes made by a test file, deleted in its afterAll. */
export function sandboxes() {
  const made: Sandbox[] = [];
  return {
    async create(opts: CreateOptions = {}): Promise<Sandbox> {
      const sb = await Sandbox.create({ apiUrl: warren().url, apiKey: warren().key, timeoutSec: 600, ...opts });
      made.push(sb);
      return sb;
    },
    track(sb: Sandbox) {
      made.push(sb);
      return sb;
    },
    async cleanup() {
      await Promise.all(made.map((s) => s.kill().catch(() => {})));
    },
  };
}

export async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await ok()) return;
  throw new Error(`timed out waiting for ${what}`);
}
