import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { WorkerRequest } from './console-worker';
import type { Rng } from './seed';

/**
 * The console operations the battery interrupts, drawn from what the org's rows allow right now
 * (a stopped sandbox to start, a snapshot to fork…). Creates and snapshots carry an
 * Idempotency-Key (most creates) and a tag (in metadata or the name), so the retry that follows a
 * kill can be checked: however the first try ended, one request makes exactly one sandbox or
 * snapshot.
 */
export type Plan = { req: WorkerRequest; tag: string };
export type Rows = { id: string; state: string }[];

const MAX_LIVE = 4;

export async function liveRows(orgId: string): Promise<Rows> {
  const db = await getDb();
  const { sandboxes } = schema;
  return db
    .select({ id: sandboxes.id, state: sandboxes.state })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt)))
    .orderBy(sandboxes.id); // the seed's picks depend on the order
}

async function liveSnapshots(orgId: string): Promise<string[]> {
  const db = await getDb();
  const { snapshots } = schema;
  const rows = await db
    .select({ id: snapshots.id })
    .from(snapshots)
    .where(and(eq(snapshots.orgId, orgId), isNull(snapshots.deletedAt)))
    .orderBy(snapshots.id);
  return rows.map((r) => r.id);
}

export async function drawPlan(orgId: string, key: string, rng: Rng, n: number): Promise<Plan> {
  const rows = await liveRows(orgId);
  const snaps = await liveSnapshots(orgId);
  const inState = (...s: string[]) => rows.filter((r) => s.includes(r.state));
  const tag = `t${n}x${rng.int(1e9).toString(36)}`;
  const idem = `idem-${tag}`;
  const choices: Array<[number, () => WorkerRequest]> = [
    [rows.length < MAX_LIVE ? 3 : 0, () => ({ route: 'create', key, idempotencyKey: idem, body: createBody(rng, tag) })],
    // An agent that sends no Idempotency-Key (and so never retries): its row is left to the reconciler.
    [rows.length < MAX_LIVE ? 1 : 0, () => ({ route: 'create', key, body: createBody(rng, tag) })],
    [rows.length < MAX_LIVE && snaps.length ? 1 : 0, () => ({ route: 'create', key, idempotencyKey: idem, body: { snapshotId: rng.pick(snaps), metadata: { attempt: tag } } })],
    [inState('running', 'stopped', 'paused', 'error').length ? (rows.length >= MAX_LIVE ? 6 : 2) : 0, () => ({ route: 'delete', key, id: rng.pick(inState('running', 'stopped', 'paused', 'error')).id })],
    [inState('stopped').length ? 1 : 0, () => ({ route: 'start', key, id: rng.pick(inState('stopped')).id })],
    [inState('running', 'paused').length ? 1 : 0, () => ({ route: 'stop', key, id: rng.pick(inState('running', 'paused')).id })],
    [inState('running').length ? 1 : 0, () => ({ route: 'pause', key, id: rng.pick(inState('running')).id })],
    [inState('paused').length ? 1 : 0, () => ({ route: 'resume', key, id: rng.pick(inState('paused')).id })],
    [inState('running', 'stopped').length && snaps.length < 2 ? 1 : 0, () => ({ route: 'snapshot', key, idempotencyKey: idem, id: rng.pick(inState('running', 'stopped')).id, body: { name: tag } })],
  ];
  const total = choices.reduce((s, [w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [w, make] of choices) {
    x -= w;
    if (w > 0 && x < 0) return { req: make(), tag };
  }
  throw new Error('no operation possible');
}

/** Default resources come from the warm pool; another disk size is a cold create. */
function createBody(rng: Rng, tag: string) {
  return { metadata: { attempt: tag }, ...(rng.chance(0.5) ? { diskMb: 1024 } : {}), ...(rng.chance(0.3) ? { network: { mode: 'egress' as const } } : {}) };
}
