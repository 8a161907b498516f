import { env } from '@/lib/env';
import type { SandboxView } from '@/lib/sandboxes/view';
import { envdAccessToken, trafficAccessToken } from './access-token';

/**
 * The envd version Warren's gateway answers as. The clients switch features on it: ≥ 0.4.0 means
 * "no user sent = the sandbox's default user", ≥ 0.5.2 closeStdin, ≥ 0.5.7 octet-stream uploads,
 * ≥ 0.6.4 every watchDir option. Warren implements what these versions promise (README: E2B).
 */
export const ENVD_VERSION = '0.6.4';

/**
 * E2B calls Warren's default template `base`, as its own default is named; the code
 * interpreter's templates map to it too (its kernels are Warren's, run on the default image).
 */
const DEFAULT_ALIASES = new Set(['base', 'code-interpreter-v1', 'code-interpreter', 'code-interpreter-beta']);
export const templateToE2b = (template: string) => (template === 'default' ? 'base' : template);
export const templateFromE2b = (templateID: string | undefined) =>
  !templateID || DEFAULT_ALIASES.has(templateID) ? undefined : templateID;

/** E2B knows running and paused; a stopped Warren sandbox is paused to it (its files are kept and connect starts it). */
export const stateToE2b = (state: SandboxView['state']) =>
  state === 'running' || state === 'creating' ? 'running' : 'paused';

/** The answer to create and connect: what a client needs to reach the sandbox through the gateway. */
export function createdJson(view: SandboxView, apiKeyId: string, publicPorts: boolean) {
  return {
    sandboxID: view.id,
    templateID: templateToE2b(view.template),
    alias: templateToE2b(view.template),
    clientID: 'warren',
    envdVersion: ENVD_VERSION,
    envdAccessToken: envdAccessToken(view.id, apiKeyId),
    trafficAccessToken: publicPorts ? null : trafficAccessToken(view.id),
    domain: env().e2bDomain,
  };
}

/** GET /sandboxes/:id and the list's entries. */
export function detailJson(view: SandboxView) {
  const started = view.startedAt ?? view.createdAt;
  return {
    sandboxID: view.id,
    templateID: templateToE2b(view.template),
    alias: templateToE2b(view.template),
    clientID: 'warren',
    startedAt: started,
    endAt: view.expiresAt ?? started,
    cpuCount: Math.max(1, Math.ceil(view.cpu)),
    memoryMB: view.memoryMb,
    diskSizeMB: view.diskMb,
    metadata: view.metadata,
    state: stateToE2b(view.state),
    envdVersion: ENVD_VERSION,
    allowInternetAccess: view.network.mode === 'egress',
    domain: env().e2bDomain,
    lifecycle: { onTimeout: view.onTimeout === 'pause' ? 'pause' : 'kill', autoResume: false },
    volumeMounts: [],
  };
}
