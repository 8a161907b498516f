import net from 'node:net';

/**
 * Raw HTTP/1.1 over TCP, for what a well-behaved client library never sends: junk after a body,
 * pipelined requests, broken chunked framing. Reads every response until the server closes the
 * connection (or stays quiet for `quietMs`), and parses them in order.
 */
export type RawResponse = { status: number; headers: Record<string, string>; body: string };

export function rawExchange(port: number, data: string | Buffer, opts: { quietMs?: number; responses?: number } = {}): Promise<RawResponse[]> {
  const quietMs = opts.quietMs ?? 3000;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let timer = setTimeout(() => socket.destroy(), quietMs);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), quietMs);
      // With a known count, stop as soon as that many answers are in (no wait for a close).
      if (opts.responses && parseResponses(buf).length >= opts.responses) socket.destroy();
    });
    socket.on('error', () => {}); // a reset still ends in 'close' with what was read
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponses(buf));
    });
    socket.write(data);
  });
}

/** The complete responses in `buf`, in order; a trailing partial one is left out. */
export function parseResponses(buf: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine, ...lines] = buf.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
    if (!status) throw new Error(`not an HTTP response: ${statusLine}`);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const body = readBody(buf, headEnd + 4, headers);
    if (!body) break;
    out.push({ status, headers, body: body.bytes.toString('utf8') });
    at = body.end;
  }
  return out;
}

function readBody(buf: Buffer, start: number, headers: Record<string, string>): { bytes: Buffer; end: number } | null {
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(buf.subarray(at, lineEnd).toString(), 16);
      at = lineEnd + 2;
      if (at + size + 2 > buf.length) return null;
      if (!size) return { bytes: Buffer.concat(parts), end: at + 2 };
      parts.push(buf.subarray(at, at + size));
      at += size + 2;
    }
  }
  const n = Number(headers['content-length'] ?? 0);
  if (start + n > buf.length) return null;
  return { bytes: buf.subarray(start, start + n), end: start + n };
}

/** One request's bytes, with a Content-Length body, ready to be followed by anything. */
export function rawRequest(method: string, path: string, opts: { key?: string; body?: string; headers?: Record<string, string> } = {}): string {
  const body = opts.body ?? '';
  const headers: Record<string, string> = { host: 'localhost', ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  headers['content-length'] = String(Buffer.byteLength(body));
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n${body}`;
}
