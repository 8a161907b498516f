import type { Quota } from './billing-types';

const MIB = 1024 * 1024;

function bytes(n: number): string {
  if (n >= 1024 * 1024 * MIB) return `${+(n / (1024 * 1024 * MIB)).toFixed(2)} TiB`;
  if (n >= 1024 * MIB) return `${+(n / (1024 * MIB)).toFixed(2)} GiB`;
  if (n >= MIB) return `${+(n / MIB).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function duration(sec: number): string {
  if (sec >= 86_400 && sec % 3600 === 0) return `${+(sec / 86_400).toFixed(2)} d`;
  if (sec >= 3600) return `${+(sec / 3600).toFixed(2)} h`;
  if (sec >= 60) return `${+(sec / 60).toFixed(1)} min`;
  return `${sec} s`;
}

/** One quota value in its unit, as people read it ("2 vCPUs", "1.5 GiB", "24 h"). */
export function formatQuota(unit: Quota['unit'], n: number): string {
  switch (unit) {
    case 'vcpu':
      return `${+n.toFixed(2)} vCPU${n === 1 ? '' : 's'}`;
    case 'mb':
      return n >= 1024 ? `${+(n / 1024).toFixed(2)} GiB` : `${n} MiB`;
    case 'bytes':
      return bytes(n);
    case 'seconds':
      return duration(n);
    case 'per_minute':
      return `${n.toLocaleString('en-US')}/min`;
    default:
      return n.toLocaleString('en-US');
  }
}
