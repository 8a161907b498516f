import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as one from '@/app/api/v1/sandboxes/[id]/route';
import * as execRoute from '@/app/api/v1/sandboxes/[id]/exec/route';
import * as execLog from '@/app/api/v1/sandboxes/[id]/exec-log/route';
import * as metrics from '@/app/api/v1/sandboxes/[id]/metrics/route';
import * as pause from '@/app/api/v1/sandboxes/[id]/pause/route';
import * as resume from '@/app/api/v1/sandboxes/[id]/resume/route';
import * as start from '@/app/api/v1/sandboxes/[id]/start/route';
import * as stop from '@/app/api/v1/sandboxes/[id]/stop/route';
import * as timeout from '@/app/api/v1/sandboxes/[id]/timeout/route';
import * as list from '@/app/api/v1/sandboxes/route';
import * as templates from '@/app/api/v1/templates/route';
import { execResponse, sandboxListResponse, sandboxResponse } from '@/lib/openapi/responses';
import type { RunnerHandle } from '../runner/harness';
import { api, makeTestOrg, type TestOrg, teardown, useRunner } from './sandboxes-fixture';

let runner: RunnerHandle;
let A: TestOrg;
let id: string;
beforeAll(async () => {
  [runner, A] = await Promise.all([useRunner(), makeTestOrg()]);
});
afterAll(() => teardown(runner));

const p = () => ({ params: { id } });

describe('sandbox lifecycle through /api/v1', () => {
  it('creates a sandbox with metadata and lists it', async () => {
    const res = await api(list.POST, 'POST', '/sandboxes', { key: A.developer, body: { metadata: { team: 'ml', run: '1' }, timeoutSec: 600 } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ state: 'running', template: 'default', cpu: 1, memoryMb: 512, metadata: { team: 'ml' }, timeoutSec: 600 });
    expect(res.json.id).toMatch(/^[a-z0-9]{20}$/);
    expect(res.json.expiresAt).toBeTruthy();
    id = res.json.id;
    // The documented response schema (OpenAPI) matches what the handler really returns.
    sandboxResponse.strict().parse(res.json);
    const all = await api(list.GET, 'GET', '/sandboxes?metadata=team:ml&state=running', { key: A.viewer });
    expect(all.status).toBe(200);
    expect(all.json.sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);
    sandboxListResponse.parse(all.json);
    const none = await api(list.GET, 'GET', '/sandboxes?metadata=team:other', { key: A.viewer });
    expect(none.json.sandboxes).toEqual([]);
  });

  it('gets one sandbox with live state, and 404s an unknown id', async () => {
    const res = await api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.viewer, ...p() });
    expect(res.json).toMatchObject({ id, state: 'running' });
    const missing = await api(one.GET, 'GET', '/sandboxes/nosuchsandbox0000000', { key: A.viewer, params: { id: 'nosuchsandbox0000000' } });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it('runs commands: argv, shell line, stdin, exit codes, and records the exec log', async () => {
    const argv = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: ['echo', 'hello'] }, ...p() });
    expect(argv.json).toMatchObject({ exitCode: 0, stdout: 'hello\n' });
    execResponse.strict().parse(argv.json);
    const shell = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'echo $((6*7)) >&2; exit 3' }, ...p() });
    expect(shell.json).toMatchObject({ exitCode: 3, stderr: '42\n' });
    const stdin = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'cat', args: [], stdin: 'piped' }, ...p() });
    expect(stdin.json.stdout).toBe('piped');
    const log = await api(execLog.GET, 'GET', `/sandboxes/${id}/exec-log`, { key: A.viewer, ...p() });
    expect(log.json.entries[0]).toMatchObject({ cmd: 'cat', exitCode: 0 });
    expect(log.json.entries).toHaveLength(3);
  });

  it('streams exec output as NDJSON', async () => {
    const res = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, {
      key: A.developer,
      body: { cmd: 'echo one; sleep 0.1; echo two' },
      headers: { accept: 'application/x-ndjson' },
      ...p(),
    });
    expect(res.res.headers.get('content-type')).toBe('application/x-ndjson');
    const events = res.text!.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].type).toBe('start');
    expect(events.filter((e) => e.type === 'stdout').map((e) => e.data).join('')).toBe('one\ntwo\n');
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 0 });
  });

  it('pauses, resumes, stops, starts; wrong transitions are 409', async () => {
    const act = (route: typeof stop, name: string) => api(route.POST, 'POST', `/sandboxes/${id}/${name}`, { key: A.developer, ...p() });
    expect((await act(resume, 'resume')).status).toBe(409);
    expect((await act(pause, 'pause')).json.state).toBe('paused');
    expect((await act(pause, 'pause')).status).toBe(409);
    const execPaused = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'true' }, ...p() });
    expect(execPaused.status).toBe(409);
    expect((await act(resume, 'resume')).json.state).toBe('running');
    expect((await act(stop, 'stop')).json).toMatchObject({ state: 'stopped', desiredState: 'stopped' });
    expect((await act(stop, 'stop')).status).toBe(409);
    const ext = await api(timeout.POST, 'POST', `/sandboxes/${id}/timeout`, { key: A.developer, body: { timeoutSec: 60 }, ...p() });
    expect(ext.status).toBe(409);
    expect((await act(start, 'start')).json.state).toBe('running');
    const again = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.developer, body: { cmd: 'echo back' }, ...p() });
    expect(again.json.stdout).toBe('back\n');
  });

  it('extends the timeout within the org maximum', async () => {
    const ok = await api(timeout.POST, 'POST', `/sandboxes/${id}/timeout`, { key: A.developer, body: { timeoutSec: 3600 }, ...p() });
    expect(ok.status).toBe(200);
    expect(new Date(ok.json.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const over = await api(timeout.POST, 'POST', `/sandboxes/${id}/timeout`, { key: A.developer, body: { timeoutSec: 90_000 }, ...p() });
    expect(over.status).toBe(429);
    expect(over.json.error.message).toMatch(/86400/);
  });

  it('reports metrics and lists templates', async () => {
    const m = await api(metrics.GET, 'GET', `/sandboxes/${id}/metrics`, { key: A.viewer, ...p() });
    expect(m.json).toMatchObject({ cpuSeconds: expect.any(Number), memoryBytes: expect.any(Number) });
    const t = await api(templates.GET, 'GET', '/templates', { key: A.viewer });
    expect(t.json.templates[0]).toMatchObject({ id: 'default', name: 'host', default: true, builtin: true, status: 'ready' });
  });

  it('a 409 from the runner corrects a stale stored state at once', async () => {
    await runner.client.stop(id); // behind the console's back, like a TTL expiring
    const res = await api(pause.POST, 'POST', `/sandboxes/${id}/pause`, { key: A.developer, ...p() });
    expect(res.status).toBe(409);
    const stopped = await api(list.GET, 'GET', '/sandboxes?state=stopped', { key: A.viewer });
    expect(stopped.json.sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);
  });

  it('viewers cannot act or delete; developers (agents) can delete', async () => {
    const viewerExec = await api(execRoute.POST, 'POST', `/sandboxes/${id}/exec`, { key: A.viewer, body: { cmd: 'true' }, ...p() });
    expect(viewerExec.status).toBe(403);
    expect((await api(list.POST, 'POST', '/sandboxes', { key: A.viewer, body: {} })).status).toBe(403);
    expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.viewer, ...p() })).status).toBe(403);
    expect((await api(one.DELETE, 'DELETE', `/sandboxes/${id}`, { key: A.developer, ...p() })).status).toBe(200);
    expect((await api(one.GET, 'GET', `/sandboxes/${id}`, { key: A.admin, ...p() })).status).toBe(404);
    expect(await runner.client.list()).toEqual([]);
  });
});
