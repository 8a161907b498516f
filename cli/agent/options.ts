import { parseArgs } from 'node:util';

/** A mistake in how a command was called: printed with its usage, exit status 2. */
export class UsageError extends Error {}

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/**
 * Strict `--flag value` parsing with positionals; everything after `--` is kept apart (the
 * command of `exec`). Unknown flags are usage errors, never silently ignored.
 */
export function parse<S extends Record<string, OptionSpec>>(argv: string[], spec: S) {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  try {
    const { values, positionals } = parseArgs({ args: own, options: { json: { type: 'boolean' }, ...spec }, strict: true, allowPositionals: true });
    return { values: values as { [K in keyof S]?: S[K]['multiple'] extends true ? string[] : S[K]['type'] extends 'boolean' ? boolean : string } & { json?: boolean }, positionals, rest };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `KEY=VALUE` pairs (repeatable flags) into an object. */
export function pairs(list: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i < 1) throw new UsageError(`--${flag} takes KEY=VALUE, got "${item}"`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

export function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} must be a number`);
  return n;
}

export function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`Give exactly one ${what}`);
  return positionals[0]!;
}
