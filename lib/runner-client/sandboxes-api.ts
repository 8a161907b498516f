import { type Transport, enc, ndjson } from './transport';
import type {
  Capacity,
  CreateSandboxInput,
  ExecEvent,
  ExecRequest,
  ExecResult,
  HealthInfo,
  JournalPage,
  SandboxInfo,
  SandboxMetrics,
  SnapshotInfo,
} from './types';

const sb = (id: string) => `/v1/sandboxes/${enc(id)}`;

type Cancel = { signal?: AbortSignal };

/** Sandbox lifecycle, exec and snapshots. Control calls get the transport's default deadline. */
export function sandboxesApi(t: Transport) {
  const { execMarginMs, snapshotMs } = t.timeouts;
  // The runner kills the command at its timeoutSec (60 by default); the margin covers the rest.
  const execDeadline = (req: ExecRequest) => (req.timeoutSec ?? 60) * 1000 + execMarginMs;

  const lifecycle = (action: 'start' | 'stop' | 'pause' | 'resume') => (id: string) =>
    t.json<SandboxInfo>('POST', `${sb(id)}/${action}`);

  return {
    health: () => t.json<HealthInfo>('GET', '/v1/health'),
    capacity: () => t.json<Capacity>('GET', '/v1/capacity'),
    /** The usage journal after `after` (reading acknowledges everything up to it). */
    events: (after: number, limit = 1000) => t.json<JournalPage>('GET', '/v1/events', { query: { after, limit } }),

    create: (input: CreateSandboxInput = {}) => t.json<SandboxInfo>('POST', '/v1/sandboxes', { body: input }),
    list: async () => (await t.json<{ sandboxes: SandboxInfo[] }>('GET', '/v1/sandboxes')).sandboxes,
    get: (id: string) => t.json<SandboxInfo>('GET', sb(id)),
    delete: async (id: string): Promise<void> => {
      await t.json('DELETE', sb(id));
    },
    start: lifecycle('start'),
    stop: lifecycle('stop'),
    pause: lifecycle('pause'),
    resume: lifecycle('resume'),
    /** Sets the hard TTL to `timeoutSec` from now (0 = none). */
    setTimeout: (id: string, timeoutSec: number) =>
      t.json<SandboxInfo>('POST', `${sb(id)}/timeout`, { body: { timeoutSec } }),
    metrics: (id: string, opts: Cancel = {}) => t.json<SandboxMetrics>('GET', `${sb(id)}/metrics`, opts),

    /** Runs a command and waits for it; output is capped by the runner (see `truncated`). */
    exec: (id: string, req: ExecRequest, opts: Cancel = {}) =>
      t.json<ExecResult>('POST', `${sb(id)}/exec`, { body: req, signal: opts.signal, deadlineMs: execDeadline(req) }),

    /**
     * Runs a command and yields its output as it comes: `start`, then `stdout`/`stderr` chunks,
     * then `exit`. Leaving the loop early (break, throw, abort) kills the command.
     */
    execStream: async function* (
      id: string,
      req: ExecRequest,
      opts: Cancel = {},
    ): AsyncGenerator<ExecEvent> {
      // A command may print nothing for minutes, so the deadline is the exec's own, not silence.
      const res = await t.request('POST', `${sb(id)}/exec`, {
        body: req,
        headers: { accept: 'application/x-ndjson' },
        signal: opts.signal,
        deadlineMs: execDeadline(req),
      });
      yield* ndjson<ExecEvent>(res);
    },

    snapshots: {
      create: (sandboxId: string, name?: string) =>
        t.json<SnapshotInfo>('POST', `${sb(sandboxId)}/snapshots`, { body: name === undefined ? {} : { name }, deadlineMs: snapshotMs }),
      list: async () => (await t.json<{ snapshots: SnapshotInfo[] }>('GET', '/v1/snapshots')).snapshots,
      get: (id: string) => t.json<SnapshotInfo>('GET', `/v1/snapshots/${enc(id)}`),
      delete: async (id: string): Promise<void> => {
        await t.json('DELETE', `/v1/snapshots/${enc(id)}`);
      },
    },
  };
}
