/**
 * Stripe's request encoding, as the official SDK writes it: application/x-www-form-urlencoded
 * with bracketed keys (`line_items[0][price]=price_1`, `metadata[org]=x`, `expand[0]=y`). Decoded
 * into plain objects, with arrays where every key of a level is an index, as Stripe reads them.
 */
export type FormValue = string | FormValue[] | { [k: string]: FormValue };

export function decodeForm(body: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!m) continue;
    const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)];
    let node: Record<string, FormValue> = root;
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = {};
      node = node[key] as Record<string, FormValue>;
    });
  }
  return arrays(root) as Record<string, FormValue>;
}

/** `{0: a, 1: b}` → `[a, b]`, recursively. */
function arrays(v: FormValue): FormValue {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  const fixed = Object.fromEntries(keys.map((k) => [k, arrays(v[k]!)]));
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => fixed[k]!);
  return fixed;
}

export const str = (v: FormValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
export const obj = (v: FormValue | undefined): Record<string, FormValue> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
export const list = (v: FormValue | undefined): FormValue[] => (Array.isArray(v) ? v : []);
/** Stripe metadata: string values only. */
export const metadata = (v: FormValue | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));
