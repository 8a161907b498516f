/**
 * Where the API is and how to call it: options first, then WARREN_API_KEY / WARREN_API_URL from
 * the environment where there is one (Node, Deno, Bun; edge runtimes pass options).
 */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

export type ConnectionOptions = {
  /** `wrn_…`; default WARREN_API_KEY. */
  apiKey?: string;
  /** The console's URL (with or without /api/v1); default WARREN_API_URL, else http://localhost:3000. */
  apiUrl?: string;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
  /** A WebSocket implementation for terminals; default the global one, else the `ws` package in Node. */
  WebSocket?: WebSocketCtor;
  /** Retries of idempotent calls after network errors, 429 rate limits and 502/503/504 (default 3). */
  maxRetries?: number;
  /** Deadline of each API call, in ms (default 60 000; commands get their own timeout on top). */
  requestTimeoutMs?: number;
};

export type ResolvedConnection = Required<Omit<ConnectionOptions, 'WebSocket'>> & { WebSocket?: WebSocketCtor; base: string };

function envVar(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.[name] || undefined;
}

export function resolveConnection(o: ConnectionOptions = {}): ResolvedConnection {
  const apiKey = o.apiKey ?? envVar('WARREN_API_KEY');
  if (!apiKey) throw new Error('No Warren API key: pass { apiKey } or set WARREN_API_KEY');
  const apiUrl = (o.apiUrl ?? envVar('WARREN_API_URL') ?? 'http://localhost:3000').replace(/\/+$/, '');
  const f = o.fetch ?? globalThis.fetch;
  if (!f) throw new Error('No fetch in this runtime: pass { fetch }');
  return {
    apiKey,
    apiUrl,
    base: apiUrl.endsWith('/api/v1') ? apiUrl : `${apiUrl}/api/v1`,
    fetch: f.bind(globalThis),
    WebSocket: o.WebSocket,
    maxRetries: o.maxRetries ?? 3,
    requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
  };
}
