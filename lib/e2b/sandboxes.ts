import { INTERNAL_PREFIX, isInternalKey } from '@/lib/sandboxes/internal-metadata';
import { z } from 'zod';
import { ISOLATION_LEVELS, type IsolationLevel } from '@/db/schema/sandboxes';
import type { OrgScope } from '@/lib/auth/scope';
import { conflict } from '@/lib/errors';
import { createSandbox } from '@/lib/sandboxes/create';
import { sandboxAction, setSandboxTimeout } from '@/lib/sandboxes/lifecycle';
import { getSandbox } from '@/lib/sandboxes/queries';
import { ownedSandbox, updateRow } from '@/lib/sandboxes/store';
import type { SandboxView } from '@/lib/sandboxes/view';
import { listTemplates } from '@/lib/templates/templates';
import { templateFromE2b } from './sandbox-json';

/**
 * E2B's sandbox lifecycle expressed with Warren's own services: every create, resume and timeout
 * below goes through lib/sandboxes (limits, quotas, billing standing, audit, placement), never
 * around it. Only the vocabulary is translated here.
 */
const E2B_DEFAULT_TIMEOUT_SEC = 300;
/**
 * E2B's SDKs send nothing but metadata of their own choosing, so a Warren isolation level rides
 * in this one reserved key (`Sandbox.create({ metadata: { warren_isolation: 'gvisor' } })`); it is
 * taken out, never stored as metadata. A template's own isolation applies when it is absent.
 */
export const E2B_ISOLATION_KEY = 'warren_isolation';

/** What the clients send to POST /sandboxes and /v2/sandboxes (unknown fields are ignored, as E2B does). */
export const e2bCreateBody = z.object({
  templateID: z.string().max(128).optional(),
  timeout: z.number().int().min(1).optional(),
  // Warren's own keys (`warren_…`, e.g. a demo visitor's mark) are refused, as on /api/v1.
  metadata: z
    .record(z.string(), z.string())
    .refine((m) => !Object.keys(m).some((k) => isInternalKey(k) && k !== E2B_ISOLATION_KEY), `metadata keys starting with ${INTERNAL_PREFIX} are reserved for Warren`)
    .refine((m) => m[E2B_ISOLATION_KEY] === undefined || (ISOLATION_LEVELS as readonly string[]).includes(m[E2B_ISOLATION_KEY]), {
      message: `${E2B_ISOLATION_KEY} is container or gvisor`,
      path: [E2B_ISOLATION_KEY],
    })
    .optional(),
  envVars: z.record(z.string(), z.string()).optional(),
  autoPause: z.boolean().optional(),
  allow_internet_access: z.boolean().optional(),
  secure: z.boolean().optional(),
  network: z.object({ allowPublicTraffic: z.boolean().optional() }).optional(),
});

export async function createE2bSandbox(scope: OrgScope, body: z.infer<typeof e2bCreateBody>): Promise<SandboxView> {
  // A snapshot's id works as a template, as E2B's snapshots do (Sandbox.create(snapshotId)).
  const template = templateFromE2b(body.templateID);
  const isSnapshot = template !== undefined && !(await listTemplates(scope)).some((t) => t.id === template || t.name === template);
  const { [E2B_ISOLATION_KEY]: isolation, ...metadata } = body.metadata ?? {};
  const view = await createSandbox(scope, {
    ...(isSnapshot ? { snapshotId: template } : { template }),
    isolation: isolation as IsolationLevel | undefined,
    timeoutSec: body.timeout ?? E2B_DEFAULT_TIMEOUT_SEC,
    metadata: body.metadata ? metadata : undefined,
    env: body.envVars,
    // E2B kills a sandbox at its timeout unless asked to pause it.
    onTimeout: body.autoPause ? 'pause' : 'delete',
    // Warren's default is no network; E2B clients that ask for the internet get egress.
    network: body.allow_internet_access ? { mode: 'egress' } : undefined,
  });
  // Written after the create, so a failure in between leaves the ports private, never open.
  if (body.network?.allowPublicTraffic !== false) await updateRow(view.id, { e2bPublicPorts: true });
  return view;
}

export const e2bTimeoutBody = z.object({ timeout: z.number().int().min(0) });

/**
 * Connect: a paused sandbox is resumed, a stopped one started, and its timeout is extended to
 * `timeout` seconds from now when that is later than what it has, never shortened.
 */
export async function connectE2bSandbox(
  scope: OrgScope,
  id: string,
  timeoutSec: number | undefined,
): Promise<{ view: SandboxView; resumed: boolean; publicPorts: boolean }> {
  const { e2bPublicPorts } = await ownedSandbox(scope, id);
  let view = await getSandbox(scope, id);
  let resumed = false;
  if (view.state === 'paused' || view.state === 'stopped') {
    view = await sandboxAction(scope, id, view.state === 'paused' ? 'resume' : 'start');
    resumed = true;
  } else if (view.state !== 'running') {
    throw conflict(`Sandbox is ${view.state}; it cannot be connected to`);
  }
  const want = Date.now() + (timeoutSec ?? E2B_DEFAULT_TIMEOUT_SEC) * 1000;
  const has = view.expiresAt ? Date.parse(view.expiresAt) : Number.POSITIVE_INFINITY;
  if (timeoutSec !== undefined && want > has) view = await setSandboxTimeout(scope, id, timeoutSec);
  return { view, resumed, publicPorts: e2bPublicPorts };
}
