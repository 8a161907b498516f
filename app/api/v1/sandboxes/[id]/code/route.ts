import { parseJson } from '@/lib/api/handler';
import { withSandbox } from '@/lib/api/sandbox-route';
import { runCode } from '@/lib/code-contexts/contexts';
import { runCodeBody } from '@/lib/schemas/code';

export const dynamic = 'force-dynamic';

/**
 * NDJSON events of one cell in a stateful context (stdout, stderr, result, error,
 * number_of_executions). The first is awaited before answering, so an unknown context is a 404.
 */
export const POST = withSandbox('sandboxes:write', async ({ req, scope, params }) => {
  const body = await parseJson(req, runCodeBody, 2 * 1024 * 1024);
  const ac = new AbortController();
  req.signal.addEventListener('abort', () => ac.abort(), { once: true });
  const events = runCode(scope, params.id!, body, ac.signal);
  const first = await events.next();
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for (let n = first; !n.done; n = await events.next()) controller.enqueue(enc.encode(`${JSON.stringify(n.value)}\n`));
      } catch (err) {
        if (!ac.signal.aborted) controller.enqueue(enc.encode(`${JSON.stringify({ type: 'error', name: 'StreamError', value: (err as Error).message, traceback: '' })}\n`));
      }
      controller.close();
    },
    cancel() {
      ac.abort();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
});
