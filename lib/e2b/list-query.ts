import { AppError } from '@/lib/errors';
import type { SANDBOX_LIST_STATES } from '@/lib/schemas/sandboxes';

type State = (typeof SANDBOX_LIST_STATES)[number];

/**
 * GET /v2/sandboxes's query as the clients send it: `metadata` is itself a URL-encoded query
 * (`k1=v1&k2=v2`), `state` a comma list of running|paused, `limit`, and `nextToken` from the
 * previous page's `x-next-token`. A paused E2B sandbox is a paused or stopped Warren one.
 */
export function listQuery(url: URL): { metadata: string[]; states: State[]; limit: number; nextToken?: string } {
  const q = url.searchParams;
  const metadata: string[] = [];
  const raw = q.get('metadata');
  if (raw) {
    // The clients encode each key and value before building this inner query, so decode again.
    for (const [ek, ev] of new URLSearchParams(raw)) {
      const [k, v] = [once(ek), once(ev)];
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(k) || v.length > 1024)
        throw new AppError('bad_request', 'metadata filters are key=value with keys of letters, digits, _ . -');
      metadata.push(`${k}:${v}`);
    }
  }
  if (metadata.length > 10) throw new AppError('bad_request', 'At most 10 metadata filters');
  const wanted = q
    .getAll('state')
    .flatMap((s) => s.split(','))
    .filter(Boolean);
  for (const s of wanted)
    if (s !== 'running' && s !== 'paused')
      throw new AppError('bad_request', `Unknown state ${s}: use running or paused`);
  const states: State[] = [];
  if (!wanted.length || wanted.includes('running')) states.push('running', 'creating');
  if (!wanted.length || wanted.includes('paused')) states.push('paused', 'stopped');
  const limit = Number(q.get('limit') ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError('bad_request', 'limit is 1–100');
  const nextToken = q.get('nextToken') ?? undefined;
  return { metadata, states, limit, ...(nextToken ? { nextToken } : {}) };
}

function once(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('bad_request', 'metadata filters are not valid percent-encoding');
  }
}
