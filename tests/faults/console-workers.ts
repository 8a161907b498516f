import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { WorkerEvent, WorkerRequest } from './console-worker';

/**
 * Console processes for the battery to kill. Starting one takes most of a second (module
 * loading, the database connection), so the next one is always started while the current one
 * works: a kill costs the battery almost nothing.
 */
export type Worker = {
  pid: number;
  /** Sends a request; `begun` resolves once the handler runs, `done` with its answer (or null if killed). */
  send(r: WorkerRequest): { begun: Promise<void>; done: Promise<{ status: number; json: unknown } | null> };
  kill(): Promise<void>;
};

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function startWorker(env: NodeJS.ProcessEnv): Promise<Worker> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests', 'faults', 'console-worker.ts')], {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const listeners = new Set<(e: WorkerEvent) => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as WorkerEvent;
    for (const l of listeners) l(e);
  });
  const next = (type: WorkerEvent['event']) =>
    new Promise<WorkerEvent | null>((resolve) => {
      const on = (e: WorkerEvent) => {
        if (e.event !== type) return;
        listeners.delete(on);
        resolve(e);
      };
      listeners.add(on);
      void exited.then(() => resolve(null));
    });
  child.stdin!.on('error', () => {});
  return next('ready').then((e) => {
    if (!e) throw new Error('a console worker exited during start-up');
    return {
      pid: child.pid!,
      send: (r) => {
        const begun = next('begin').then(() => {});
        const done = next('done').then((d) => (d && d.event === 'done' ? { status: d.status, json: d.json } : null));
        child.stdin!.write(`${JSON.stringify(r)}\n`);
        return { begun, done };
      },
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  });
}

/** Hands out ready workers, one always warming up behind the one in use. */
export function workerPool(env: NodeJS.ProcessEnv) {
  let spare = startWorker(env);
  let current: Worker | undefined;
  return {
    async get(): Promise<Worker> {
      if (!current) {
        current = await spare;
        spare = startWorker(env);
      }
      return current;
    },
    /** kill -9 the worker in use; the next `get` hands out the spare. */
    async killCurrent(): Promise<void> {
      const w = current;
      current = undefined;
      await w?.kill();
    },
    async close(): Promise<void> {
      await this.killCurrent();
      await (await spare.catch(() => undefined))?.kill();
    },
  };
}
