import type { ApiDeps } from './deps';
import { discardBody, json, parseQuery, readJson } from './http';
import type { Router } from './router';
import { pidParam, processInputSchema, processSchema, signalQuery } from './schemas';

/** Background processes: start detached, list, follow output (replay + live), write stdin, kill. */
export function processRoutes(router: Router, deps: ApiDeps): void {
  const { processes } = deps;
  router
    .on('POST', '/v1/sandboxes/:id/processes', async ({ req, res, params, url }) => {
      const body = await readJson(req, processSchema);
      // ?follow=1: the start event and then the output on this response (NDJSON), one call.
      if (url.searchParams.get('follow') === '1') {
        await processes.startAndStream(params.id!, body, res);
        return undefined;
      }
      return json(201, await processes.start(params.id!, body));
    })
    .on('GET', '/v1/sandboxes/:id/processes', async ({ params }) =>
      json(200, { processes: await processes.list(params.id!) }),
    )
    .on('GET', '/v1/sandboxes/:id/processes/:pid/output', async ({ res, params }) => {
      await processes.output(params.id!, pidParam.parse(params.pid), res);
      return undefined;
    })
    .on('POST', '/v1/sandboxes/:id/processes/:pid/stdin', async ({ req, params }) => {
      const body = await readJson(req, processInputSchema);
      await processes.input(params.id!, pidParam.parse(params.pid), body.data, body.eof ?? false);
      return json(200, { ok: true });
    })
    .on('DELETE', '/v1/sandboxes/:id/processes/:pid', async ({ req, params, url }) => {
      discardBody(req);
      const { signal } = parseQuery(url, signalQuery);
      await processes.kill(params.id!, pidParam.parse(params.pid), signal);
      return json(200, { ok: true });
    });
}
