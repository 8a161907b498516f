import type http from 'node:http';
import { z } from 'zod';
import { createContext, deleteContext, listContexts, restartContext, runCode } from '@/lib/code-contexts/contexts';
import { LANGUAGES } from '@/lib/code-contexts/kernels';
import { AppError } from '@/lib/errors';
import { readJsonBody, sendJson } from '../http';
import type { Caller } from './caller';

/**
 * What `@e2b/code-interpreter` calls on port 49999 (E2B runs a Jupyter server there): `/execute`
 * streaming NDJSON, and `/contexts`. Served by Warren's code contexts (lib/code-contexts), whose
 * kernels run inside the sandbox.
 */
export const CODE_INTERPRETER_PORT = 49999;

const executeBody = z.object({
  code: z.string().max(1024 * 1024),
  context_id: z.string().max(64).optional().nullable(),
  language: z.string().max(32).optional().nullable(),
  env_vars: z.record(z.string(), z.string()).optional().nullable(),
});
const language = (l: string | null | undefined) => {
  const v = (l ?? 'python').toLowerCase();
  const mapped = v === 'js' || v === 'typescript' || v === 'ts' ? 'javascript' : v === 'sh' ? 'bash' : v;
  if (!(LANGUAGES as readonly string[]).includes(mapped)) throw new AppError('bad_request', `language is one of ${LANGUAGES.join(', ')}`);
  return mapped as (typeof LANGUAGES)[number];
};

export async function codeInterpreterHttp(req: http.IncomingMessage, res: http.ServerResponse, url: URL, caller: Caller): Promise<void> {
  const { scope, row } = caller;
  if (row.state !== 'running') throw new AppError('bad_gateway', `The sandbox is ${row.state}`);
  const path = url.pathname.replace(/\/+$/, '');
  if (req.method === 'POST' && path === '/execute') {
    const body = executeBody.parse(await readJsonBody(req, 2 * 1024 * 1024));
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    const events = runCode(scope, row.id, { code: body.code, language: body.context_id ? undefined : language(body.language), contextId: body.context_id ?? undefined }, ac.signal);
    const first = await events.next();
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    for (let n = first; !n.done; n = await events.next()) res.write(`${JSON.stringify(n.value)}\n`);
    res.end();
    return;
  }
  if (req.method === 'GET' && path === '/contexts') return sendJson(res, 200, await listContexts(scope, row.id));
  if (req.method === 'POST' && path === '/contexts') {
    const body = (await readJsonBody(req)) as { language?: string };
    const { pid: _pid, ...ctx } = await createContext(scope, row.id, language(body.language));
    return sendJson(res, 200, ctx);
  }
  const m = /^\/contexts\/([a-z0-9-]{1,64})(\/restart)?$/.exec(path);
  if (m && req.method === 'DELETE' && !m[2]) {
    await deleteContext(scope, row.id, m[1]!);
    return sendJson(res, 204, undefined);
  }
  if (m && req.method === 'POST' && m[2]) return sendJson(res, 200, await restartContext(scope, row.id, m[1]!));
  return sendJson(res, 404, { code: 404, message: `Unknown code interpreter path ${path}` });
}
