import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '@/lib/runner-client';
import { type RunnerHandle, sh, startRunner } from './harness';

/**
 * The runner's usage journal (real runc sandboxes): every state change at the time the runner
 * saw it, in order, durable across runner restarts and kill -9, read with a cursor.
 */
let r: RunnerHandle;
beforeAll(async () => {
  r = await startRunner({ env: { WARREN_RUNNER_SAMPLE_SEC: '1' } });
});
afterAll(async () => {
  await r?.destroy();
});

async function eventsFor(sandboxId: string, after = 0): Promise<JournalEvent[]> {
  const page = await r.client.events(after, 5000);
  return page.events.filter((e) => e.sandboxId === sandboxId);
}
const states = (evs: JournalEvent[]) => evs.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);

describe('usage journal', () => {
  it('journals each transition once, in order, with resources and CPU time', async () => {
    const { id } = await r.client.create({ resources: { cpu: 1.5, memoryMb: 384 } });
    await r.client.exec(id, { cmd: sh('for i in $(seq 300000); do :; done') });
    await r.client.pause(id);
    await r.client.resume(id);
    await r.client.stop(id);
    await r.client.start(id);
    await r.client.delete(id);
    const evs = await eventsFor(id);
    expect(states(evs)).toEqual(['running', 'paused', 'running', 'stopped', 'running', 'deleted']);
    const seqs = evs.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const first = evs[0] as Extract<JournalEvent, { type: 'state' }>;
    expect(first).toMatchObject({ cpu: 1.5, memoryMb: 384 });
    const stopped = evs.find((e) => e.type === 'state' && e.state === 'stopped') as Extract<JournalEvent, { type: 'state' }>;
    expect(stopped.cpuMs).toBeGreaterThan(50); // the busy loop's CPU time, read before the container went
    expect(stopped.diskBytes).toBeGreaterThan(0);
    const times = evs.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('samples CPU time while running', async () => {
    const { id } = await r.client.create({});
    await r.client.exec(id, { cmd: sh('for i in $(seq 200000); do :; done; sleep 1.5') });
    const samples = (await eventsFor(id)).filter((e) => e.type === 'sample');
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(samples.at(-1)).toMatchObject({ state: 'running' });
    expect((samples.at(-1) as { cpuMs: number }).cpuMs).toBeGreaterThan(0);
    await r.client.delete(id);
  });

  it('keeps events across a kill -9, and a TTL that passes while the runner is down stops at the TTL', async () => {
    const { id } = await r.client.create({ timeoutSec: 2 });
    const expiresAt = Date.parse((await r.client.get(id)).expiresAt!);
    const before = await r.client.events(0, 5000);
    await r.kill(); // SIGKILL: no graceful anything
    await new Promise((res) => setTimeout(res, 3000)); // the TTL passes meanwhile
    // A torn last line, as a host crash mid-write would leave.
    fs.appendFileSync(path.join(r.dataDir, 'journal', 'events.ndjson'), '{"seq":');
    await r.restart();
    for (let i = 0; i < 50 && (await r.client.get(id)).state !== 'stopped'; i++) await new Promise((res) => setTimeout(res, 100));
    const after = await r.client.events(0, 5000);
    expect(after.journalId).toBe(before.journalId);
    expect(after.events.slice(0, before.events.length)).toEqual(before.events); // nothing lost
    const stop = after.events.find((e) => e.sandboxId === id && e.type === 'state' && e.state === 'stopped')!;
    expect(Math.abs(Date.parse(stop.at) - expiresAt)).toBeLessThan(1500); // billed to the TTL, not to the restart
    expect(stop.seq).toBeGreaterThan(before.lastSeq); // numbering goes on after the torn line
    await r.client.delete(id);
  });

  it('reading past a cursor acknowledges it: the cursor survives restarts and later events follow it', async () => {
    const page = await r.client.events(0, 5000);
    const acked = page.lastSeq;
    await r.client.events(acked, 10);
    await r.restart();
    const { id } = await r.client.create({});
    const snap = await r.client.snapshots.create(id);
    await r.client.snapshots.delete(snap.id);
    const next = await r.client.events(acked, 5000);
    expect(next.events.every((e) => e.seq > acked)).toBe(true);
    expect(states(next.events.filter((e) => e.sandboxId === id))).toEqual(['running']);
    expect(next.events.filter((e) => e.type === 'snapshot').map((e) => (e as { state: string }).state)).toEqual(['created', 'deleted']);
    await r.client.delete(id);
  });
});
