import { Readable } from 'node:stream';
import { withSandbox } from '@/lib/api/sandbox-route';
import { type Action, sandboxAction } from './lifecycle';

/** POST /sandboxes/:id/{start,stop,pause,resume}: the four files differ only by the action. */
export const lifecycleRoute = (action: Action) =>
  withSandbox('sandboxes:write', async ({ scope, params }) => Response.json(await sandboxAction(scope, params.id!, action)));

/** Wraps a runner byte stream as a download response (never buffered in the console). */
export function bytesResponse(stream: NodeJS.ReadableStream, opts: { size?: number; disposition?: string }): Response {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff' };
  if (opts.size !== undefined) headers['content-length'] = String(opts.size);
  if (opts.disposition) headers['content-disposition'] = opts.disposition;
  const body = Readable.toWeb(stream as Readable) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}

/** Query flags like recursive=1 / true. */
export const flag = (v: string | undefined) => v === '1' || v === 'true';
