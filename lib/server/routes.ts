import type http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests the console process serves itself, before Next sees them: WebSocket upgrades on
 * our own paths and the preview proxy (matched by Host). Features register here at boot.
 */
type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
type UpgradeRoute = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;

const httpRoutes: HttpRoute[] = [];
const upgradeRoutes: UpgradeRoute[] = [];

export function addHttpRoute(route: HttpRoute) {
  httpRoutes.push(route);
}

export function addUpgradeRoute(route: UpgradeRoute) {
  upgradeRoutes.push(route);
}

export function routeHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  return httpRoutes.some((r) => r(req, res));
}

export function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
  return upgradeRoutes.some((r) => r(req, socket, head));
}
