import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb } from '@/db';
import { ensureLocalRunnerRegistered } from '@/lib/runners/registry';
import { reconcileSandboxes } from '@/lib/sandboxes/reconcile';
import { makeKey, makeOrg } from '../console/helpers/fixtures';
import { drawPlan, liveRows, type Plan } from './console-ops';
import { abandonIdempotencyKey, ageCreatingRows, liveRowsTagged, liveSnapshotsNamed, rowsVsRunner, runnerCreatesDone, usageVsRows } from './console-verify';
import { call } from './console-worker';
import { workerPool } from './console-workers';
import { findLeaks, newOwned, watchKeys } from './leaks';
import { type KillableRunner, killableRunner, removeRunnerDirs, runnerQuiet } from './runner-process';
import { faultRng, killDelayMs } from './seed';

/**
 * "Every process can die at any moment, and Warren comes back whole", for the console: each
 * sandbox operation runs in a console process (the real route handlers, on the test Postgres and a
 * real runner) that is killed -9 mid-request, or the runner is, or both at once. Then the
 * reconciler runs once and rows and runner must agree one-to-one; the user's retry (same
 * Idempotency-Key) must end with exactly one sandbox or snapshot per request.
 * WARREN_FAULT_CONSOLE_KILLS sets the rounds (30); WARREN_FAULT_SEED replays a run.
 */
const ROUNDS = Number(process.env.WARREN_FAULT_CONSOLE_KILLS ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Mode = 'console' | 'runner' | 'both';

describe('console: kill -9 mid-request (real Postgres, real runner)', () => {
  const rng = faultRng('console battery');
  const owned = newOwned();
  let r: KillableRunner;
  let orgId: string;
  let key: string;
  let pool: ReturnType<typeof workerPool>;
  let unwatch = () => {};
  const kills = new Map<string, number>();

  beforeAll(async () => {
    r = await killableRunner({ poolSize: 1, label: 'faults-console' });
    unwatch = watchKeys(r, owned);
    await r.start();
    process.env.WARREN_RUNNER_URL = r.client.url;
    process.env.WARREN_RUNNER_TOKEN = r.token;
    await ensureLocalRunnerRegistered();
    const { scope } = await makeOrg();
    orgId = scope.orgId;
    key = await makeKey(scope, 'owner');
    pool = workerPool({ ...process.env, NODE_ENV: 'test', WARREN_LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    console.log(`[faults] console kills: ${[...kills].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    await pool?.close();
    unwatch();
    if (r) {
      await r.stop().catch(() => {});
      await removeRunnerDirs(r);
    }
    await closeDb();
  });

  /** One reconciler pass after the dust settled, then rows and runner must agree. */
  const reconcileAndCheck = async (what: string) => {
    await runnerQuiet(r.pid());
    await runnerCreatesDone(r.client);
    const passStartedAt = Date.now();
    await reconcileSandboxes({ orgId });
    expect(await rowsVsRunner(orgId, r.client, passStartedAt), `${what} (seed ${rng.seed})`).toEqual([]);
    expect(await usageVsRows(orgId, 'local'), `${what}: usage (seed ${rng.seed})`).toEqual([]);
  };

  it(`keeps rows and runner one-to-one through ${ROUNDS} kills`, { timeout: ROUNDS * 15_000 }, async () => {
    for (let i = 1; i <= ROUNDS; i++) {
      const plan = await drawPlan(orgId, key, rng, i);
      const mode = rng.pick<Mode>(['console', 'console', 'console', 'both', 'runner']);
      const delay = killDelayMs(rng);
      const w = await pool.get();
      const { begun, done } = w.send(plan.req);
      await begun;
      await sleep(delay);
      await Promise.all([mode !== 'runner' && pool.killCurrent(), mode !== 'console' && r.kill()]);
      const answer = await done;
      if (mode !== 'console') await r.start();
      const what = `round ${i}: ${plan.req.route} ${plan.req.id ?? ''}, ${mode} killed ${delay.toFixed(1)} ms in, ${answer ? `answered ${answer.status}` : 'no answer'}`;
      kills.set(`${plan.req.route} (${mode})`, (kills.get(`${plan.req.route} (${mode})`) ?? 0) + 1);
      await reconcileAndCheck(what);
      await retryAsUser(plan, what);
      await reconcileAndCheck(`${what}, then the retry`);
    }
  });

  // The runner's crash points (runner/sandbox/fault-point.ts) hit through the console: the runner
  // dies right after its runtime call, the console answers 503, and the next pass must agree.
  it.each([
    ['after-runtime-call:create', 'create'],
    ['after-runtime-call:start', 'start'],
    ['after-runtime-call:stop', 'stop'],
    ['after-runtime-call:pause', 'pause'],
    ['after-runtime-call:resume', 'resume'],
    ['after-runtime-call:snapshot', 'snapshot'],
    ['after-runtime-call:delete', 'delete'],
  ] as const)('agrees with the runner after it crashes at %s during a console %s', { timeout: 60_000 }, async (point, route) => {
    const id = await sandboxIn(route === 'start' ? 'stopped' : route === 'resume' ? 'paused' : 'running');
    const tag = `p${point.length}x${rng.int(1e9).toString(36)}`;
    const req = route === 'create' ? { route, key, idempotencyKey: `idem-${tag}`, body: { metadata: { attempt: tag } } } : route === 'snapshot' ? { route, key, id, idempotencyKey: `idem-${tag}`, body: { name: tag } } : { route, key, id };
    // Armed only once nothing is in flight (a pool refill cleaned up at start-up would fire it).
    await r.settle();
    await r.kill();
    await r.start({ fault: point });
    const answer = await call(req);
    await r.exited();
    kills.set(point, (kills.get(point) ?? 0) + 1);
    expect(answer.status, `${point}: the console's answer while its runner died`).toBe(503);
    await r.start();
    await reconcileAndCheck(`runner crashed at ${point} during a console ${route}`);
    await retryAsUser({ req, tag }, `runner crashed at ${point}`);
    await reconcileAndCheck(`runner crashed at ${point} during a console ${route}, then the retry`);
  });

  it('ends a create whose console and runner both died before the runner made it, once the grace passes', async () => {
    // The runner is frozen, so the console's create waits on it; both are then killed: the row
    // is written, and the runner never saw the request.
    const tag = `frozen${rng.int(1e9).toString(36)}`;
    process.kill(r.pid()!, 'SIGSTOP');
    const w = await pool.get();
    void w.send({ route: 'create', key, body: { metadata: { attempt: tag } } }).done;
    for (let i = 0; (await liveRowsTagged(orgId, tag)).length === 0; i++) {
      if (i > 200) throw new Error('the create never wrote its row');
      await sleep(20);
    }
    await Promise.all([pool.killCurrent(), r.kill()]);
    kills.set('create (both, runner frozen)', 1);
    await r.start();
    await reconcileAndCheck('a create that never reached its runner, within the grace');
    expect(await liveRowsTagged(orgId, tag), 'still waiting for its runner').toHaveLength(1);
    await ageCreatingRows(orgId);
    await reconcileAndCheck('the same create, after the grace');
    expect((await liveRows(orgId)).filter((row) => row.state === 'creating')).toEqual([]);
    expect(await liveRowsTagged(orgId, tag), 'a create that never happened is not a live sandbox').toEqual([]);
  });

  it('leaves nothing on the host once everything is deleted', { timeout: 120_000 }, async () => {
    for (const row of await liveRows(orgId)) {
      const res = await call({ route: 'delete', key, id: row.id });
      expect([200, 404]).toContain(res.status);
    }
    await reconcileAndCheck('after deleting everything');
    expect(await liveRows(orgId)).toEqual([]);
    await r.deleteEverything();
    expect(findLeaks(r, owned)).toEqual([]);
  });

  /** A sandbox of this org in `state`, made (not interrupted) when there is none. */
  async function sandboxIn(state: 'running' | 'stopped' | 'paused'): Promise<string> {
    const found = (await liveRows(orgId)).find((row) => row.state === state);
    if (found) return found.id;
    const made = await call({ route: 'create', key, body: {} });
    const id = (made.json as { id: string }).id;
    if (state !== 'running') expect((await call({ route: state === 'stopped' ? 'stop' : 'pause', key, id })).status).toBe(200);
    return id;
  }

  /**
   * What an agent does after a lost answer: send the same request again. A create or snapshot
   * with the same Idempotency-Key must end with exactly one; a delete must end with none.
   */
  async function retryAsUser(plan: Plan, what: string) {
    if (plan.req.route === 'delete') {
      const res = await call(plan.req);
      expect([200, 404], `${what}: retried delete answered ${res.status} ${JSON.stringify(res.json)}`).toContain(res.status);
      return;
    }
    if (!plan.req.idempotencyKey) return; // without a key, a retry would be a new request
    let res = await call(plan.req);
    if (res.status === 409) {
      // The first try is still "in flight" for the server, whose console is dead: after a
      // minute a retry takes over. That minute is skipped here.
      await abandonIdempotencyKey(orgId, plan.req.idempotencyKey!);
      res = await call(plan.req);
    }
    expect(res.status, `${what}: the retry answered ${JSON.stringify(res.json)}`).toBe(201);
    await runnerQuiet(r.pid());
    await runnerCreatesDone(r.client);
    await reconcileSandboxes({ orgId });
    const made = plan.req.route === 'create' ? await liveRowsTagged(orgId, plan.tag) : await liveSnapshotsNamed(orgId, plan.tag);
    expect(made, `${what}: one ${plan.req.route} request, retried with its Idempotency-Key`).toEqual([(res.json as { id: string }).id]);
  }
});
