import type http from 'node:http';

/**
 * Graceful stop of an HTTP server: stop accepting, close idle keep-alive connections, let
 * requests in flight finish for up to `deadlineMs`, then cut whatever is left (long streams).
 * Upgraded sockets (WebSockets) are not the server's any more: their owners close them.
 */
export async function closeGracefully(server: http.Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
