/** Sizes, durations and countdowns for the sandbox pages (client-only, like format.ts). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatMemory(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GiB` : `${mb} MiB`;
}

/** "2h 5m", "45s": compact, for ages and time left. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 && m < 10 ? ` ${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}

export function ageOf(iso: string, now = Date.now()): string {
  return formatDuration((now - new Date(iso).getTime()) / 1000);
}

/** Time left until the hard TTL, or a dash when there is none (stopped sandboxes keep no TTL clock). */
export function timeLeft(expiresAt: string | null, now = Date.now()): string {
  if (!expiresAt) return '—';
  const left = (new Date(expiresAt).getTime() - now) / 1000;
  return left <= 0 ? 'expiring' : formatDuration(left);
}

export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}
