import { AppError } from '@/lib/errors';
import { discardBody, json, parseQuery, readJson } from './http';
import type { ApiDeps } from './deps';
import type { Router } from './router';
import { createSandboxSchema, eventsQuery, execSchema, MAX_SECRETS_BODY, setTimeoutSchema, startSandboxSchema, updateSecretsSchema } from './schemas';

/** Exec bodies carry stdin, so they get more room than other JSON bodies. */
const MAX_EXEC_BODY = 16 * 1024 * 1024;

export function sandboxRoutes(router: Router, deps: ApiDeps): void {
  const { manager, version } = deps;

  router
    .on('GET', '/v1/health', async () => json(200, { ok: true, version }))
    .on('GET', '/v1/capacity', async () => json(200, manager.capacity()))
    // The usage journal, read by the console's meter with a cursor (see runner/sandbox/journal.ts).
    .on('GET', '/v1/events', async ({ url }) => {
      const { after, limit } = parseQuery(url, eventsQuery);
      return json(200, manager.events(after, limit));
    })
    .on('POST', '/v1/sandboxes', async ({ req }) => {
      const input = await readJson(req, createSandboxSchema, MAX_SECRETS_BODY);
      return json(201, await manager.create(input));
    })
    .on('GET', '/v1/sandboxes', async () => json(200, { sandboxes: manager.list() }))
    .on('GET', '/v1/sandboxes/:id', async ({ params }) => json(200, manager.get(params.id!)))
    .on('DELETE', '/v1/sandboxes/:id', async ({ req, params }) => {
      discardBody(req);
      await deps.pty.forgetSandbox(params.id!);
      await manager.delete(params.id!);
      deps.processes.forgetSandbox(params.id!);
      return json(200, { ok: true });
    })
    // Egress-only secrets of a running sandbox changed (rotated, hosts edited, deleted): at once.
    .on('PUT', '/v1/sandboxes/:id/secrets', async ({ req, params }) => {
      const { egress } = await readJson(req, updateSecretsSchema, MAX_SECRETS_BODY);
      return json(200, manager.updateEgressSecrets(params.id!, egress));
    })
    .on('POST', '/v1/sandboxes/:id/timeout', async ({ req, params }) => {
      const { timeoutSec } = await readJson(req, setTimeoutSchema);
      return json(200, manager.setTimeout(params.id!, timeoutSec));
    })
    .on('GET', '/v1/sandboxes/:id/metrics', async ({ params, url }) => {
      // `since` (epoch ms or ISO): only history samples newer than it, so a poller gets just what is new.
      const raw = url.searchParams.get('since');
      const since = raw === null ? undefined : /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
      if (since !== undefined && !Number.isFinite(since)) throw new AppError('validation_failed', 'since must be a time (ISO 8601 or epoch milliseconds)');
      return json(200, await manager.metrics(params.id!, since));
    })
    .on('POST', '/v1/sandboxes/:id/exec', async ({ req, res, params }) => {
      const body = await readJson(req, execSchema, MAX_EXEC_BODY);
      if (wantsNdjson(req.headers.accept)) {
        await deps.exec.stream(params.id!, body, res);
        return undefined;
      }
      // A client that hangs up on a buffered exec should not leave the command running either.
      const ac = new AbortController();
      const onClose = () => {
        if (!res.writableFinished) ac.abort();
      };
      res.on('close', onClose);
      try {
        return json(200, await deps.exec.run(params.id!, body, ac.signal));
      } finally {
        res.off('close', onClose);
      }
    });
  lifecycleRoutes(router, deps);
}

function lifecycleRoutes(router: Router, deps: ApiDeps): void {
  for (const action of ['start', 'stop', 'pause', 'resume'] as const) {
    router.on('POST', `/v1/sandboxes/:id/${action}`, async ({ req, params }) => {
      if (action === 'start') {
        const body = await readJson(req, startSandboxSchema, MAX_SECRETS_BODY);
        return json(200, await deps.manager.start(params.id!, body));
      }
      discardBody(req);
      // Stopping ends every process, so the runner's pty connections go with them.
      if (action === 'stop') await deps.pty.forgetSandbox(params.id!);
      return json(200, await deps.manager[action](params.id!));
    });
  }
}

function wantsNdjson(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((a) => a.trim().startsWith('application/x-ndjson'));
}
