import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as procs from '@/app/api/v1/sandboxes/[id]/processes/route';
import * as procKill from '@/app/api/v1/sandboxes/[id]/processes/[pid]/route';
import * as procOut from '@/app/api/v1/sandboxes/[id]/processes/[pid]/output/route';
import * as procIn from '@/app/api/v1/sandboxes/[id]/processes/[pid]/stdin/route';
import * as resume from '@/app/api/v1/sandboxes/[id]/resume/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as list from '@/app/api/v1/sandboxes/route';
import * as org from '@/app/api/v1/org/route';
import * as shares from '@/app/api/v1/shares/route';
import { openEmbed } from '@/lib/embeds/open-embed';
import { getDb, schema } from '@/db';
import { listAudit } from '@/lib/audit/audit';
import { processEvent } from '@/lib/openapi/responses';
import { LOCAL_RUNNER_ID } from '@/lib/runners/registry';
import { sweepSandboxes } from '@/lib/sandboxes/retention';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

/** What agents need from the API: names, onTimeout, retention, background processes with stdin. */
let runner: RunnerHandle;
let A: TestOrg;
beforeAll(async () => {
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
});
afterAll(() => teardown(runner));

const create = (body: Record<string, unknown>) => api(list.POST, 'POST', '/sandboxes', { key: A.developer, body });
const get = (ref: string) => api(one.GET, 'GET', `/sandboxes/${ref}`, { key: A.developer, params: { id: ref } });
const until = async (what: string, ok: () => Promise<boolean>, ms = 15_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await ok()) return;
  throw new Error(`timed out waiting for ${what}`);
};

describe('sandbox names', () => {
  it('a name works wherever the id does, is unique among live sandboxes, and frees up on delete', async () => {
    const made = await create({ name: 'web-1', timeoutSec: 300 });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ name: 'web-1', onTimeout: 'stop' });
    expect((await get('web-1')).json.id).toBe(made.json.id);
    const ran = await api(execRoute.POST, 'POST', '/sandboxes/web-1/exec', { key: A.developer, body: { cmd: 'echo hi' }, params: { id: 'web-1' } });
    expect(ran.json).toMatchObject({ exitCode: 0, stdout: 'hi\n' });
    const dup = await create({ name: 'web-1' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toContain('web-1');
    const idShaped = await create({ name: 'abcdefghij0123456789' });
    expect(idShaped.status).toBe(400);
    expect(idShaped.json.error.message).toMatch(/shape of a sandbox id/);
    expect((await create({ name: '-bad' })).status).toBe(400);
    // Another org's name is a 404 like any unknown one.
    const B = await makeTestOrg();
    expect((await api(one.GET, 'GET', '/sandboxes/web-1', { key: B.owner, params: { id: 'web-1' } })).status).toBe(404);
    expect((await api(one.DELETE, 'DELETE', '/sandboxes/web-1', { key: A.developer, params: { id: 'web-1' } })).status).toBe(200);
    expect((await get('web-1')).status).toBe(404);
    const again = await create({ name: 'web-1', timeoutSec: 300 });
    expect(again.status).toBe(201);
    await api(one.DELETE, 'DELETE', `/sandboxes/${again.json.id}`, { key: A.developer, params: { id: again.json.id } });
  });
});

describe('isolation levels', () => {
  it('a gVisor sandbox runs under its user-space kernel, says so, and gets egress through the proxy', async () => {
    const plain = await create({ timeoutSec: 300 });
    expect(plain.json).toMatchObject({ isolation: 'container' });
    const made = await create({ timeoutSec: 300, isolation: 'gvisor' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ isolation: 'gvisor', state: 'running' });
    expect((await get(made.json.id)).json.isolation).toBe('gvisor');
    // gVisor's Sentry answers uname with its own kernel version, never the host's.
    const ran = await api(execRoute.POST, 'POST', `/sandboxes/${made.json.id}/exec`, { key: A.developer, body: { cmd: 'uname -r' }, params: { id: made.json.id } });
    expect(ran.json.stdout).toBe('4.4.0\n');
    // Egress there is the runner's proxy alone (relayed through the agent), named by HTTPS_PROXY.
    const egress = await create({ timeoutSec: 300, isolation: 'gvisor', network: { mode: 'egress' } });
    expect(egress.status).toBe(201);
    const proxy = await api(execRoute.POST, 'POST', `/sandboxes/${egress.json.id}/exec`, { key: A.developer, body: { cmd: 'echo $HTTPS_PROXY' }, params: { id: egress.json.id } });
    expect(proxy.json.stdout).toBe('http://127.0.0.1:3128\n');
    expect((await create({ isolation: 'microvm' })).status).toBe(400);
    for (const id of [plain.json.id, made.json.id, egress.json.id]) await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } });
  });
});

describe('onTimeout and retention', () => {
  it('pause: the timeout freezes the sandbox (memory kept) and resume grants a fresh TTL', async () => {
    const made = await create({ timeoutSec: 2, onTimeout: 'pause' });
    const id = made.json.id;
    await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'echo kept > /tmp/mem; sleep 600 &' }, params: { id } });
    await until('paused by timeout', async () => (await get(id)).json.state === 'paused');
    expect((await get(id)).json).toMatchObject({ state: 'paused', reason: 'timeout', expiresAt: null });
    const resumed = await api(resume.POST, 'POST', `/sandboxes/${id}/resume`, { key: A.developer, params: { id } });
    expect(resumed.json.state).toBe('running');
    expect(Date.parse(resumed.json.expiresAt)).toBeGreaterThan(Date.now());
    const ps = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'cat /tmp/mem; pgrep -c sleep' }, params: { id } });
    expect(ps.json.stdout).toBe('kept\n1\n'); // the process survived: paused, not stopped
    await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } });
  });

  it('delete: a timed-out sandbox is deleted by the sweep; a stopped-by-hand one is not', async () => {
    const timed = (await create({ timeoutSec: 1, onTimeout: 'delete' })).json.id;
    const byHand = (await create({ timeoutSec: 300, onTimeout: 'delete' })).json.id;
    await api(stop.POST, 'POST', `/sandboxes/${byHand}/stop`, { key: A.developer, params: { id: byHand } });
    await until('stopped by timeout', async () => (await get(timed)).json.state === 'stopped');
    const swept = await sweepSandboxes();
    expect(swept.deleted).toContain(timed);
    expect(swept.deleted).not.toContain(byHand);
    expect((await get(timed)).status).toBe(404);
    expect(await runner.client.get(timed).catch((e) => e.status)).toBe(404);
    const { events } = await listAudit(A.scope);
    expect(events.find((e) => e.action === 'sandbox.delete' && e.target?.id === timed)).toMatchObject({ actor: { type: 'system', label: 'retention' }, data: { reason: 'onTimeout: delete' } });
  });

  it('a sweep while the runner is down leaves its sandboxes, and the audit log, as they were; the next pass deletes', async () => {
    const timed = (await create({ timeoutSec: 1, onTimeout: 'delete' })).json.id;
    await until('stopped by timeout', async () => (await get(timed)).json.state === 'stopped');
    await runner.stop();
    try {
      const swept = await sweepSandboxes();
      expect(swept.unreachableRunners).toContain(LOCAL_RUNNER_ID);
      expect(swept.deleted).not.toContain(timed);
      expect((await get(timed)).json.state).toBe('stopped');
    } finally {
      await runner.restart();
    }
    const deletes = async () => (await listAudit(A.scope)).events.filter((e) => e.target?.id === timed && e.action.startsWith('sandbox.delete'));
    expect(await deletes()).toEqual([]);
    expect((await sweepSandboxes()).deleted).toContain(timed);
    expect((await deletes()).map((e) => e.action)).toEqual(['sandbox.delete']);
  });

  it('a runner that is down with 200 or more sandboxes due does not keep other runners’ sandboxes waiting', async () => {
    const db = await getDb();
    const stranded = Array.from({ length: 201 }, (_, i) => `strandedsandbox${String(i).padStart(5, '0')}`);
    await db.insert(schema.sandboxes).values(
      stranded.map((id) => ({
        id,
        orgId: A.scope.orgId,
        runnerId: 'runner-that-is-down',
        state: 'stopped' as const,
        reason: 'timeout',
        onTimeout: 'delete' as const,
        cpu: 1,
        memoryMb: 512,
        diskMb: 1024,
        network: { mode: 'none' as const },
        timeoutSec: 1,
        createdBy: 'test',
        stoppedAt: new Date(Date.now() - 86400_000), // waiting longer than anything below
      })),
    );
    try {
      const timed = (await create({ timeoutSec: 1, onTimeout: 'delete' })).json.id;
      await until('stopped by timeout', async () => (await get(timed)).json.state === 'stopped');
      const swept = await sweepSandboxes();
      expect(swept.deleted).toContain(timed);
      expect(swept.unreachableRunners).toContain('runner-that-is-down');
    } finally {
      await db.delete(schema.sandboxes).where(inArray(schema.sandboxes.id, stranded));
    }
  });

  it('a demo visitor’s sandbox is deleted at its timeout (onTimeout: delete), not left stopped', async () => {
    const link = await api(shares.POST, 'POST', '/shares', { key: A.owner, body: { template: 'default' } });
    expect(link.status).toBe(201);
    const opened = await openEmbed(new URL(link.json.url).pathname.split('/').pop()!, {});
    expect((await get(opened.sandboxId)).json).toMatchObject({ onTimeout: 'delete', metadata: expect.any(Object) });
    await api(one.DELETE, 'DELETE', `/sandboxes/${opened.sandboxId}`, { key: A.developer, params: { id: opened.sandboxId } });
  });

  it('retention: PATCH /org stoppedRetentionDays deletes sandboxes stopped longer than that', async () => {
    const bad = await api(org.PATCH, 'PATCH', '/org', { key: A.owner, body: { stoppedRetentionDays: 0 } });
    expect(bad.status).toBe(400);
    const set = await api(org.PATCH, 'PATCH', '/org', { key: A.owner, body: { stoppedRetentionDays: 2 } });
    expect(set.json.org.stoppedRetentionDays).toBe(2);
    const [old, recent] = [(await create({ timeoutSec: 300 })).json.id, (await create({ timeoutSec: 300 })).json.id];
    for (const id of [old, recent]) await api(stop.POST, 'POST', `/sandboxes/${id}/stop`, { key: A.developer, params: { id } });
    // Three days ago, as far as the console knows (the sweep reads stopped_at).
    const db = await getDb();
    await db.update(schema.sandboxes).set({ stoppedAt: new Date(Date.now() - 3 * 86400_000) }).where(eq(schema.sandboxes.id, old));
    const swept = await sweepSandboxes();
    expect(swept.deleted).toContain(old);
    expect(swept.deleted).not.toContain(recent);
    expect((await get(recent)).json.state).toBe('stopped');
    await api(org.PATCH, 'PATCH', '/org', { key: A.owner, body: { stoppedRetentionDays: null } });
    await api(one.DELETE, 'DELETE', `/sandboxes/${recent}`, { key: A.developer, params: { id: recent } });
  });
});

describe('background processes', () => {
  it('start with stdin, write to it, follow the output to exit; kill another; they outlive the request', async () => {
    const id = (await create({ name: 'procs', timeoutSec: 300 })).json.id;
    const p = { params: { id: 'procs' } };
    const started = await api(procs.POST, 'POST', '/sandboxes/procs/processes', { key: A.developer, body: { cmd: 'read a; echo got:$a; echo err >&2', stdin: true }, ...p });
    expect(started.status).toBe(201);
    const pid = started.json.pid;
    const sent = await api(procIn.POST, 'POST', `/sandboxes/procs/processes/${pid}/stdin`, { key: A.developer, body: { data: 'hello\n', eof: true }, params: { id: 'procs', pid: String(pid) } });
    expect(sent.status).toBe(200);
    const out = await api(procOut.GET, 'GET', `/sandboxes/procs/processes/${pid}/output`, { key: A.developer, params: { id: 'procs', pid: String(pid) } });
    expect(out.res.headers.get('content-type')).toBe('application/x-ndjson');
    const events = out.text!.trim().split('\n').map((l) => processEvent.parse(JSON.parse(l)));
    expect(events.filter((e) => e.type === 'stdout').map((e) => (e as { data: string }).data).join('')).toBe('got:hello\n');
    expect(events.at(-1)).toEqual({ type: 'exit', exitCode: 0, signal: null });

    const sleeper = await api(procs.POST, 'POST', '/sandboxes/procs/processes', { key: A.developer, body: { cmd: ['sleep', '600'], tag: 'bg' }, ...p });
    const listed = await api(procs.GET, 'GET', '/sandboxes/procs/processes', { key: A.viewer, ...p });
    expect(listed.json.processes.find((x: { pid: number }) => x.pid === sleeper.json.pid)).toMatchObject({ running: true, tag: 'bg' });
    const killed = await api(procKill.DELETE, 'DELETE', `/sandboxes/procs/processes/${sleeper.json.pid}`, { key: A.developer, params: { id: 'procs', pid: String(sleeper.json.pid) } });
    expect(killed.status).toBe(200);
    const after = await api(procs.GET, 'GET', '/sandboxes/procs/processes', { key: A.viewer, ...p });
    expect(after.json.processes.find((x: { pid: number }) => x.pid === sleeper.json.pid).running).toBe(false);
    // ?signal=SIGTERM reaches a command that traps it, which ends on its own terms.
    const trapper = await api(procs.POST, 'POST', '/sandboxes/procs/processes', { key: A.developer, body: { cmd: "trap 'echo bye; exit 7' TERM; echo ready; while :; do sleep 0.1; done" }, ...p });
    const tp = { params: { id: 'procs', pid: String(trapper.json.pid) } };
    await new Promise((r) => setTimeout(r, 1000)); // bash has set its trap (its first statement)
    const badSignal = await api(procKill.DELETE, 'DELETE', `/sandboxes/procs/processes/${trapper.json.pid}?signal=SIGSTOP`, { key: A.developer, ...tp });
    expect(badSignal.status).toBe(400);
    const termed = await api(procKill.DELETE, 'DELETE', `/sandboxes/procs/processes/${trapper.json.pid}?signal=SIGTERM`, { key: A.developer, ...tp });
    expect(termed.status).toBe(200);
    const trapped = await api(procOut.GET, 'GET', `/sandboxes/procs/processes/${trapper.json.pid}/output`, { key: A.developer, ...tp });
    const tEvents = trapped.text!.trim().split('\n').map((l) => processEvent.parse(JSON.parse(l)));
    expect(tEvents.filter((e) => e.type === 'stdout').map((e) => (e as { data: string }).data).join('')).toContain('bye');
    expect(tEvents.at(-1)).toMatchObject({ type: 'exit', exitCode: 7 });
    const viewerStart = await api(procs.POST, 'POST', '/sandboxes/procs/processes', { key: A.viewer, body: { cmd: 'true' }, ...p });
    expect(viewerStart.status).toBe(403);
    const unknown = await api(procKill.DELETE, 'DELETE', '/sandboxes/procs/processes/999999', { key: A.developer, params: { id: 'procs', pid: '999999' } });
    expect(unknown.status).toBe(404);
    await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, params: { id } });
  });
});
