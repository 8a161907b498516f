import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RecordChange, RecordLog } from '@/runner/services/record-log';

/**
 * A sandbox's process records on disk (a snapshot and a log of changes): what a restarted runner
 * reads back is what the last runner wrote, whatever instant that runner died at.
 */
type Rec = { pid: number; cmd: string[]; exited: boolean };
const rec = (pid: number, exited = false): Rec => ({ pid, cmd: ['sleep', String(pid)], exited });

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-log-'));
  file = path.join(dir, 'state', 'procs-meta.json'); // its directory made on the first write
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const reopen = async () => [...(await RecordLog.open<Rec>(file)).records.values()];

describe('process records on disk', () => {
  it('reads back what was put and dropped, last change winning', async () => {
    const { log, records } = await RecordLog.open<Rec>(file);
    const put = (r: Rec) => {
      records.set(r.pid, r);
      log.write([{ put: r }], () => records.values());
    };
    put(rec(10));
    put(rec(11));
    put(rec(10, true));
    records.delete(11);
    log.write([{ drop: 11 }], () => records.values());
    expect(await reopen()).toEqual([rec(10, true)]);
  });

  it('ignores a last line cut short by a crash, and the next change after it survives', async () => {
    const first = await RecordLog.open<Rec>(file);
    first.records.set(1, rec(1));
    first.log.write([{ put: rec(1) }], () => first.records.values());
    fs.appendFileSync(`${file}.log`, '{"put":{"pid":2,"cmd":["sle');
    // The restarted runner reads it, then records a start of its own.
    const { log, records } = await RecordLog.open<Rec>(file);
    expect([...records.values()]).toEqual([rec(1)]);
    records.set(3, rec(3));
    log.write([{ put: rec(3) }], () => records.values());
    expect(await reopen()).toEqual([rec(1), rec(3)]);
  });

  it('folds a long log into the snapshot, and loses nothing if the runner dies between the two', async () => {
    const { log, records } = await RecordLog.open<Rec>(file);
    let logBeforeCompaction = '';
    for (let pid = 1; pid <= 100; pid++) {
      const logNow = fs.existsSync(`${file}.log`) ? fs.readFileSync(`${file}.log`, 'utf8') : '';
      records.set(pid, rec(pid));
      const changes: RecordChange<Rec>[] = [{ put: rec(pid) }];
      if (records.size > 5) {
        records.delete(pid - 5);
        changes.push({ drop: pid - 5 });
      }
      log.write(changes, () => records.values());
      // The log as it stood when this write folded it into the snapshot (the last such write's).
      if (fs.readFileSync(`${file}.log`, 'utf8') === '')
        logBeforeCompaction = logNow + changes.map((c) => `${JSON.stringify(c)}\n`).join('');
    }
    const expected = [96, 97, 98, 99, 100].map((pid) => rec(pid));
    expect(await reopen()).toEqual(expected);
    // A compaction happened and left a short log beside a snapshot.
    expect(logBeforeCompaction).not.toBe('');
    expect(fs.readFileSync(`${file}.log`, 'utf8').split('\n').length).toBeLessThan(70);
    // Died at the last compaction, after the snapshot's rename, before the log was emptied (the
    // writes since then appended behind the old lines): the old lines replay over the snapshot.
    fs.writeFileSync(`${file}.log`, logBeforeCompaction + fs.readFileSync(`${file}.log`, 'utf8'));
    expect(await reopen()).toEqual(expected);
  });

  it("reads an older runner's snapshot-only file, and a corrupt snapshot as no records", async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify([rec(7), rec(8, true)]));
    expect(await reopen()).toEqual([rec(7), rec(8, true)]);
    fs.writeFileSync(file, '[{"pid":7,');
    expect(await reopen()).toEqual([]);
  });

  it('removes both files when the sandbox is gone', async () => {
    const { log, records } = await RecordLog.open<Rec>(file);
    records.set(1, rec(1));
    log.write([{ put: rec(1) }], () => records.values());
    await RecordLog.remove(file);
    expect(fs.readdirSync(path.dirname(file))).toEqual([]);
  });
});
