/** Durations typed as a number and a unit in forms, sent to the API as whole seconds. */
export const DURATION_UNITS = [
  { value: 'minutes', label: 'minutes', seconds: 60 },
  { value: 'hours', label: 'hours', seconds: 3600 },
  { value: 'days', label: 'days', seconds: 86_400 },
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number]['value'];

/** Seconds for `amount` of `unit`; NaN when the amount is not a non-negative number. */
export function toSeconds(amount: string, unit: DurationUnit): number {
  const n = Number(amount.trim());
  if (amount.trim() === '' || !Number.isFinite(n) || n < 0) return Number.NaN;
  const size = DURATION_UNITS.find((u) => u.value === unit)?.seconds ?? 1;
  return Math.round(n * size);
}

/** "15 minutes", "1 day 2 hours", "90 seconds": the largest whole units, two at most. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0 seconds';
  const parts: string[] = [];
  let left = Math.round(seconds);
  for (const [name, size] of [['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]] as const) {
    const n = Math.floor(left / size);
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    left -= n * size;
  }
  return parts.join(' ');
}
