import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile } from './json-store';

/**
 * A sandbox's small set of records (its background processes), kept on disk as a snapshot
 * (`<file>`: a JSON array, replaced atomically) and an append-only log of the changes since
 * (`<file>.log`: one JSON line per change). A change is one appended line, not a rewrite of the
 * whole set through a temporary file and a rename: on ext4 a rename over an existing file starts
 * the file's writeback at once (auto_da_alloc), which cost the runner ~0.6 ms of CPU on every
 * process start and again at its exit (bench/e2b-compat, CPU profile of the runner).
 *
 * Loading applies the log over the snapshot. A line cut short by a crash (or a full disk) is the
 * last one: it is cut off the file, and a failed append makes the next write a compaction. Every
 * line states what a record became (the whole record, or that it is gone), so replaying a line
 * twice changes nothing: a crash between a compaction's snapshot and its emptying of the log
 * loses nothing. No fsync, as before: a process crash loses nothing, a power
 * cut may lose the last changes (the agent still has the processes; see ProcessService.list).
 */
export type RecordChange<T> = { put: T } | { drop: number };

/** Appended lines a log may hold before it is folded into the snapshot, at least. */
const MIN_COMPACT_LINES = 64;

export class RecordLog<T extends { pid: number }> {
  /** An append failed part-way (a full disk): the next write rewrites the snapshot instead. */
  private broken = false;

  private constructor(
    private readonly file: string,
    /** Lines in the log since the last compaction. */
    private lines: number,
  ) {}

  private get logFile() {
    return `${this.file}.log`;
  }

  /** The records as the snapshot and the log leave them; a missing or unreadable snapshot is none. */
  static async open<T extends { pid: number }>(file: string): Promise<{ log: RecordLog<T>; records: Map<number, T> }> {
    const records = new Map<number, T>();
    // A corrupt snapshot must not wedge the sandbox's API (readJsonFile): the agent still has the processes.
    const snapshot = await readJsonFile<T[]>(file, []);
    for (const r of Array.isArray(snapshot) ? snapshot : []) records.set(r.pid, r);
    let lines = 0;
    const bytes = await fs.promises.readFile(`${file}.log`).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    });
    // A last line without its newline was cut short (a crash or a full disk mid-append): it is
    // cut off the file, so the next append starts a line of its own instead of joining it.
    const whole = bytes.lastIndexOf(0x0a) + 1;
    if (whole < bytes.length) await fs.promises.truncate(`${file}.log`, whole);
    for (const line of bytes.subarray(0, whole).toString('utf8').split('\n')) {
      if (!line) continue;
      lines++;
      const change = parseChange<T>(line);
      if (!change) continue; // not ours (edited by hand): skipped, as a corrupt snapshot is
      if ('put' in change) records.set(change.put.pid, change.put);
      else records.delete(change.drop);
    }
    return { log: new RecordLog<T>(file, lines), records };
  }

  /**
   * Appends what changed, synchronously (a few hundred bytes: the caller answers only once its
   * record is on disk). Past the log's bound, `all` (the records now) replaces the snapshot and
   * the log starts over.
   */
  write(changes: RecordChange<T>[], all: () => Iterable<T>): void {
    if (changes.length === 0) return;
    if (this.broken) {
      // The log may end in part of a line: the records as they are now replace both files.
      this.compact([...all()]);
      this.broken = false;
      return;
    }
    const text = changes.map((c) => `${JSON.stringify(c)}\n`).join('');
    try {
      this.append(text);
    } catch (err) {
      this.broken = true;
      throw err;
    }
    this.lines += changes.length;
    const records = [...all()];
    if (this.lines > Math.max(MIN_COMPACT_LINES, 4 * records.length)) this.compact(records);
  }

  private append(text: string): void {
    try {
      fs.appendFileSync(this.logFile, text, { mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.logFile, text, { mode: 0o600 });
    }
  }

  private compact(records: T[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(records), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    fs.writeFileSync(this.logFile, '', { mode: 0o600 });
    this.lines = 0;
  }

  /** Removes a snapshot and its log (the sandbox is gone). */
  static remove(file: string): Promise<void> {
    return Promise.all([fs.promises.rm(file, { force: true }), fs.promises.rm(`${file}.log`, { force: true })]).then(() => {});
  }
}

function parseChange<T extends { pid: number }>(line: string): RecordChange<T> | null {
  try {
    const c = JSON.parse(line) as Record<string, unknown>;
    if (c.put && typeof c.put === 'object' && Number.isInteger((c.put as { pid?: unknown }).pid)) return { put: c.put as T };
    if (Number.isInteger(c.drop)) return { drop: c.drop as number };
    return null;
  } catch {
    return null;
  }
}
