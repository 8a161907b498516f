import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '@/runner/sandbox/journal';
import { type MeteredRecord, Meter } from '@/runner/sandbox/meter';

/**
 * A sample describes a state the journal already holds. A record's state changes before it is
 * saved (and its state event written): a sample taken in between, or after a crash in between,
 * would reach the console before the stop it follows, and bill storage beside compute.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-meter-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the meter', () => {
  it('samples a stopped sandbox only once its stop is in the journal', () => {
    const journal = new Journal(dir);
    const meter = new Meter(journal, () => 4096);
    const rec = { id: 'sbmeterorder', key: 'sbmeterorder', state: 'running', pooled: false, resources: { cpu: 1, memoryMb: 512 }, reason: null } as unknown as MeteredRecord;
    meter.beforeSave(rec); // its running state journaled
    const mine = () => journal.read(0, 100).events.filter((e) => e.sandboxId === rec.id).map((e) => `${e.type}:${(e as { state: string }).state}`);
    Object.assign(rec, { state: 'stopped', stoppedAt: new Date().toISOString() }); // stopped, not saved yet
    meter.sample(rec);
    expect(mine()).toEqual(['state:running']);
    meter.beforeSave(rec);
    meter.sample(rec);
    expect(mine()).toEqual(['state:running', 'state:stopped', 'sample:stopped']);
    journal.close();
  });
});
