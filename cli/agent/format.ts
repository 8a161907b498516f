import type { SandboxInfo } from '@/sdk/src/index';

/** Plain aligned columns for people; `--json` prints the API's objects for scripts instead. */
export function table(rows: string[][]): string {
  if (!rows.length) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function ago(iso: string | null): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export const dollars = (micros: number) => `$${(micros / 1e6).toFixed(micros < 10_000 ? 6 : 2)}`;

export function sandboxRows(list: SandboxInfo[]): string {
  const head = ['ID', 'NAME', 'STATE', 'CPU', 'MEMORY', 'CREATED', 'COST'];
  return table([head, ...list.map((s) => [s.id, s.name ?? '-', s.reason ? `${s.state} (${s.reason})` : s.state, String(s.cpu), `${s.memoryMb} MiB`, ago(s.createdAt), dollars(s.costMicros)])]);
}

export function sandboxDetail(s: SandboxInfo): string {
  const rows: Array<[string, string]> = [
    ['id', s.id],
    ['name', s.name ?? '-'],
    ['state', s.reason ? `${s.state} (${s.reason})` : s.state],
    ['template', s.template],
    ['resources', `${s.cpu} vCPU, ${s.memoryMb} MiB memory, ${s.diskMb} MiB disk`],
    ['network', s.network.mode + (s.network.allow?.length ? ` (allow ${s.network.allow.join(', ')})` : '')],
    ['timeout', `${s.timeoutSec}s, on timeout: ${s.onTimeout}${s.expiresAt ? `, expires ${s.expiresAt}` : ''}`],
    ['metadata', Object.entries(s.metadata).map(([k, v]) => `${k}=${v}`).join(' ') || '-'],
    ['created', `${s.createdAt} by ${s.createdBy}`],
    ['cost', dollars(s.costMicros)],
  ];
  return table(rows.map(([k, v]) => [`${k}:`, v]));
}
