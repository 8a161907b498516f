import type { BootHook } from './boot';
import { previewHttp, previewUpgrade } from './preview-proxy';
import { addHttpRoute, addUpgradeRoute } from './routes';
import { terminalUpgrade } from './terminal-relay';

/** The preview proxy (by Host) and the terminal WebSocket, served by server.ts itself. */
export const liveRoutes: BootHook = async () => {
  addHttpRoute(previewHttp);
  addUpgradeRoute(previewUpgrade);
  addUpgradeRoute(terminalUpgrade);
  return undefined;
};
