import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JournalEvent, JournalEventInput } from './journal-types';

export type { JournalEvent, JournalEventInput } from './journal-types';

/** Compact once this many acknowledged events sit at the head of the file. */
const COMPACT_AFTER = 5000;
const FSYNC_EVERY_MS = 1000;

/**
 * The runner's durable, ordered journal of what happened to its sandboxes (state transitions at
 * the moment the runner observed them, resource samples, snapshots). The console reads it with a
 * cursor (`GET /v1/events?after=seq`), so transitions that happen while the console is down or
 * restarting are neither lost nor counted twice; reading past a seq acknowledges everything up to
 * it, and acknowledged events are compacted away.
 *
 * One NDJSON file, appended with one write per event (a kill -9 keeps what was written; a torn
 * last line from a host crash is dropped at load), fdatasync'd at most once a second. `id`
 * names this journal: a console that sees another id (a wiped data dir) starts over at 0.
 */
export class Journal {
  readonly id: string;
  private readonly file: string;
  private fd: number;
  private events: JournalEvent[] = [];
  private seq = 0;
  private acked = 0;
  private dirty = false;
  private timer: NodeJS.Timeout;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'events.ndjson');
    const idFile = path.join(dir, 'journal-id');
    if (!fs.existsSync(idFile)) fs.writeFileSync(idFile, randomBytes(9).toString('base64url'));
    this.id = fs.readFileSync(idFile, 'utf8').trim();
    const ackFile = path.join(dir, 'acked');
    this.acked = fs.existsSync(ackFile) ? Number(fs.readFileSync(ackFile, 'utf8')) || 0 : 0;
    this.load();
    this.seq = Math.max(this.acked, this.events.at(-1)?.seq ?? 0);
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.timer = setInterval(() => this.flush(), FSYNC_EVERY_MS);
    this.timer.unref();
  }

  private load(): void {
    if (!fs.existsSync(this.file)) return;
    const text = fs.readFileSync(this.file, 'utf8');
    const lines = text.split('\n');
    const torn = !text.endsWith('\n') && text.length > 0;
    if (torn) lines.pop(); // half a line written when the host died
    for (const line of lines) {
      if (!line) continue;
      try {
        this.events.push(JSON.parse(line) as JournalEvent);
      } catch {
        // a corrupt line can only be the torn tail; nothing after it was acknowledged
      }
    }
    if (torn) this.rewrite(this.events);
  }

  append(input: JournalEventInput): JournalEvent {
    const ev = { ...input, seq: ++this.seq } as JournalEvent;
    fs.writeSync(this.fd, `${JSON.stringify(ev)}\n`);
    this.events.push(ev);
    this.dirty = true;
    return ev;
  }

  /** The newest state event of a sandbox still in the journal (acknowledged ones may be gone). */
  lastState(sandboxId: string): Extract<JournalEvent, { type: 'state' }> | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.type === 'state' && e.sandboxId === sandboxId) return e;
    }
    return undefined;
  }

  /** Events after `after` (which acknowledges everything up to it), at most `limit`. */
  read(after: number, limit: number): { journalId: string; events: JournalEvent[]; lastSeq: number } {
    if (after > this.acked && after <= this.seq) this.ack(after);
    const start = this.events.findIndex((e) => e.seq > after);
    const events = start < 0 ? [] : this.events.slice(start, start + limit);
    return { journalId: this.id, events, lastSeq: this.seq };
  }

  private ack(seq: number): void {
    this.acked = seq;
    fs.writeFileSync(path.join(path.dirname(this.file), 'acked'), String(seq));
    const done = this.events.findIndex((e) => e.seq > seq);
    const count = done < 0 ? this.events.length : done;
    if (count >= COMPACT_AFTER) {
      this.events = this.events.slice(count);
      this.rewrite(this.events);
    }
  }

  /** Replaces the file atomically (temp + rename) and reopens it for appending. */
  private rewrite(events: JournalEvent[]): void {
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, events.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    const fd = fs.openSync(tmp, 'r');
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = fs.openSync(this.file, 'a', 0o600);
    }
  }

  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      fs.fdatasyncSync(this.fd);
    } catch {}
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    fs.closeSync(this.fd);
  }
}
