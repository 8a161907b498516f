import http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * HTTP/1.1 lets a client send its next request right after a body, so whatever follows a
 * request's Content-Length is parsed as another request. When it is junk, Node's default
 * `clientError` handling writes a 400 and destroys the socket at once, while the complete
 * request before it is still being handled: that request's action went ahead (a snapshot was
 * made) but its answer was thrown away, and the client saw only the 400, which belonged to the
 * junk. Here the 400 waits its turn: every complete request on the connection is answered
 * first, then the junk gets its 400 and the connection closes. A parse error inside a request
 * that is still arriving is that request's own error: it gets the 400 once the requests before
 * it have been answered.
 */
type Exchange = { req: http.IncomingMessage; res: http.ServerResponse };
type Connection = { open: Set<Exchange>; onClose?: () => void };
const connections = new WeakMap<Duplex, Connection>();
const answered = new WeakSet<Duplex>();

/** Called for every request the console serves, before anything else looks at it. */
export function trackExchange(req: http.IncomingMessage, res: http.ServerResponse): void {
  const conn = connections.get(req.socket) ?? { open: new Set() };
  connections.set(req.socket, conn);
  const ex = { req, res };
  conn.open.add(ex);
  res.once('close', () => {
    conn.open.delete(ex);
    conn.onClose?.();
  });
}

export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser fails again on every later chunk; the first failure decides.
  if (answered.has(socket)) return;
  answered.add(socket);
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const conn = connections.get(socket);
  // Complete requests before the bad bytes are answered first, in order. Then the bad bytes get
  // their 400: as the answer of the request they broke (one still arriving, last in line), or
  // as that of a junk "request" of their own.
  const settle = (): boolean => {
    const left = [...(conn?.open ?? [])];
    if (left.some((ex) => ex.req.complete)) return false;
    const broken = left[0];
    if (!broken) closeWith(socket, err);
    else {
      if (!broken.res.headersSent) socket.write(errorResponse(err));
      socket.destroy();
    }
    return true;
  };
  if (settle() || !conn) return;
  conn.onClose = () => {
    if (settle()) conn.onClose = undefined;
  };
}

function closeWith(socket: Duplex, err: NodeJS.ErrnoException): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(errorResponse(err));
  // Keep reading (and discarding) briefly before closing: closing with unread bytes resets the
  // connection, and a reset can destroy answers the client has not read yet.
  const timer = setTimeout(() => socket.destroy(), 2000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function errorResponse(err: NodeJS.ErrnoException): string {
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request did not arrive in time']
        : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
          ? [413, 'Chunk extensions are too large']
          : [400, `Malformed HTTP request${err.code ? ` (${err.code})` : ''}`];
  const code = status === 413 ? 'payload_too_large' : 'bad_request';
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}
