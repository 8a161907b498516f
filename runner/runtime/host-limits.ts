import fs from 'node:fs';

/** The runner's own hard RLIMIT_NOFILE, from /proc/self/limits (Node has no getrlimit). */
export function hardOpenFilesLimit(): number {
  const line = fs
    .readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const hard = Number(line?.trim().split(/\s+/)[4]);
  return Number.isFinite(hard) && hard > 0 ? hard : 1024;
}
