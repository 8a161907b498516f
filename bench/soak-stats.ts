import fs from 'node:fs';
import { percentile } from './stats';

/** Latencies and errors per operation over one reporting window (a minute, or the whole run). */
export class Window {
  private ms = new Map<string, number[]>();
  private errors = new Map<string, { n: number; sample: string }>();

  add(op: string, ms: number, error?: string): void {
    if (!this.ms.has(op)) this.ms.set(op, []);
    if (error) {
      const e = this.errors.get(op) ?? { n: 0, sample: error };
      e.n++;
      this.errors.set(op, e);
    } else {
      this.ms.get(op)!.push(ms);
    }
  }

  /** One line per operation: count, errors (with the first one's answer), p50 and p99. */
  lines(): string[] {
    return [...this.ms].map(([op, samples]) => {
      const s = [...samples].sort((a, b) => a - b);
      const e = this.errors.get(op);
      const f = (p: number) => (s.length ? percentile(s, p).toFixed(1).padStart(7) : '      -');
      const err = e ? ` errors ${e.n} (first: ${e.sample})` : '';
      return `  ${op.padEnd(16)} n=${String(s.length + (e?.n ?? 0)).padStart(6)}  p50 ${f(50)} ms  p99 ${f(99)} ms${err}`;
    });
  }

  clear(): void {
    this.ms.clear();
    this.errors.clear();
  }
}

/** Resident memory of a process, from /proc (null once it is gone). */
export function rssMiB(pid: number): number | null {
  try {
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

/** The child of `parent` whose command line mentions `needle` (the console's embedded runner). */
export function childPid(parent: number, needle: string): number | null {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) return Number(name);
    } catch {}
  }
  return null;
}
