import fs from 'node:fs/promises';
import path from 'node:path';
import { AgentFsError } from '@/runner/agent/client';

/**
 * Small JSON files in a sandbox's runner-private state dir (pty sessions, background process records), so a
 * runner restart can still find what it started. Written atomically (temp + rename) and
 * serialised per file, so a crash or two concurrent updates never leave half a file.
 */
const queues = new Map<string, Promise<unknown>>();

export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    // A corrupt file must not wedge the sandbox's API: start over, the agent still has the truth.
    if (err instanceof SyntaxError) return fallback;
    throw err;
  }
}

export function writeJsonFile(file: string, value: unknown): Promise<void> {
  const prev = queues.get(file) ?? Promise.resolve();
  const next = prev
    .catch(() => {})
    .then(async () => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
      await fs.rename(tmp, file);
    });
  queues.set(file, next);
  next
    .finally(() => {
      if (queues.get(file) === next) queues.delete(file);
    })
    .catch(() => {}); // the caller gets the rejection through `next`

  return next;
}

/** The agent's answer when a detached process is gone. */
export const isGone = (err: unknown) => err instanceof AgentFsError && err.code === 'ENOENT';
