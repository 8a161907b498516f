/**
 * A console the battery can kill -9 mid-request: the same route handlers the real console serves
 * (API-key auth, Idempotency-Key, the sandbox services, the runner client), in a process of its
 * own, against the test database and the battery's runner. Not Next's HTTP layer: that part holds
 * no state a crash could leave behind. Reads one JSON request per line on stdin and writes one
 * JSON line per event on stdout: `ready`, then `begin` and `done` for each request.
 */
import readline from 'node:readline';
import * as sandboxes from '@/app/api/v1/sandboxes/route';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as pause from '@/app/api/v1/sandboxes/[id]/pause/route';
import * as resume from '@/app/api/v1/sandboxes/[id]/resume/route';
import * as snapshots from '@/app/api/v1/sandboxes/[id]/snapshots/route';
import * as start from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import { getDb } from '@/db';

export type WorkerRequest = {
  route: keyof typeof ROUTES;
  key: string;
  id?: string;
  body?: unknown;
  idempotencyKey?: string;
};
export type WorkerEvent = { event: 'ready' } | { event: 'begin' } | { event: 'done'; status: number; json: unknown };

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUTES = {
  create: ['POST', '/sandboxes', sandboxes.POST],
  delete: ['DELETE', '/sandboxes/:id', one.DELETE],
  start: ['POST', '/sandboxes/:id/start', start.POST],
  stop: ['POST', '/sandboxes/:id/stop', stop.POST],
  pause: ['POST', '/sandboxes/:id/pause', pause.POST],
  resume: ['POST', '/sandboxes/:id/resume', resume.POST],
  snapshot: ['POST', '/sandboxes/:id/snapshots', snapshots.POST],
} as const satisfies Record<string, readonly [string, string, Handler]>;

/** Builds the Request a route handler gets from Next for this call. */
export function toRequest(r: WorkerRequest): { request: Request; handler: Handler; params: Record<string, string> } {
  const [method, pattern, handler] = ROUTES[r.route];
  const headers: Record<string, string> = { authorization: `Bearer ${r.key}` };
  if (r.idempotencyKey) headers['idempotency-key'] = r.idempotencyKey;
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  const url = `http://localhost/api/v1${pattern.replace(':id', r.id ?? '')}`;
  const request = new Request(url, { method, headers, body: r.body === undefined ? undefined : JSON.stringify(r.body) });
  return { request, handler, params: r.id ? { id: r.id } : {} };
}

export async function call(r: WorkerRequest): Promise<{ status: number; json: unknown }> {
  const { request, handler, params } = toRequest(r);
  const res = await handler(request, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const send = (e: WorkerEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  await getDb(); // connected (and migrated) before `ready`, so a kill never lands in start-up
  send({ event: 'ready' });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const req = JSON.parse(line) as WorkerRequest;
    send({ event: 'begin' });
    const res = await call(req).catch((err: Error) => ({ status: 0, json: { error: err.message } }));
    send({ event: 'done', ...res });
  }
}
