import http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Sends `upstream` (an upgrade request to a runner's port proxy) and, once it switches protocols,
 * answers the client's socket with the same 101 and splices the two byte streams; a plain
 * response upstream (the app refused the upgrade) is passed on as its status, without a body.
 * Either side closing closes both.
 */
export function spliceUpgrade(upstream: http.ClientRequest, socket: Duplex, head: Buffer): void {
  upstream.on('upgrade', (up, upSocket, upHead) => {
    let head101 = 'HTTP/1.1 101 Switching Protocols\r\n';
    for (let i = 0; i < up.rawHeaders.length; i += 2) head101 += `${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}\r\n`;
    socket.write(`${head101}\r\n`);
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    upSocket.pipe(socket).pipe(upSocket);
    const end = () => {
      socket.destroy();
      upSocket.destroy();
    };
    socket.on('error', end);
    upSocket.on('error', end);
    socket.on('close', end);
    upSocket.on('close', end);
  });
  upstream.on('response', (up) => {
    up.resume();
    socket.end(`HTTP/1.1 ${up.statusCode} ${http.STATUS_CODES[up.statusCode ?? 502]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  upstream.on('error', () => socket.destroy());
  socket.once('close', () => upstream.destroy());
  upstream.end();
}

/** Refuses an upgrade with a bare status line (no WebSocket was made). */
export function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
