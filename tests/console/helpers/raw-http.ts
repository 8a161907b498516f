import net from 'node:net';

/**
 * Raw HTTP/1.1 over TCP, for what a well-behaved client library never sends: junk after a body,
 * pipelined requests, broken chunked framing. Reads every response until the server closes the
 * connection (or stays quiet for `quietMs`), and parses them in order.
 */
export type RawResponse = { status: number; headers: Record<string, string>; body: string };

export function rawExchange(port: number, data: string | Buffer, opts: { quietMs?: number } = {}): Promise<RawResponse[]> {
  const quietMs = opts.quietMs ?? 3000;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer = setTimeout(() => socket.destroy(), quietMs);
    socket.on('data', (d) => {
      chunks.push(d);
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), quietMs);
    });
    socket.on('error', () => {}); // a reset still ends in 'close' with what was read
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponses(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
    socket.write(data);
  });
}

export function parseResponses(buf: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error(`truncated response head: ${JSON.stringify(buf.subarray(at).toString().slice(0, 200))}`);
    const [statusLine, ...lines] = buf.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
    if (!status) throw new Error(`not an HTTP response: ${statusLine}`);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    at = headEnd + 4;
    let body: Buffer = Buffer.alloc(0);
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        const size = Number.parseInt(buf.subarray(at, lineEnd).toString(), 16);
        at = lineEnd + 2;
        if (!size) {
          at += 2;
          break;
        }
        parts.push(buf.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length']) {
      const n = Number(headers['content-length']);
      body = buf.subarray(at, at + n);
      at += n;
    }
    out.push({ status, headers, body: body.toString('utf8') });
  }
  return out;
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
