/**
 * Malformed requests for every operation of the OpenAPI document, from a seeded generator: the
 * same seed gives the same cases in the same order. Each case breaks one thing on top of a
 * request that is otherwise valid (real ids, a valid body), so the defect under test is the only
 * reason to refuse it.
 */
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
};
type Param = { name: string; in: 'path' | 'query'; required?: boolean; schema: Schema };
type Op = { parameters?: Param[]; requestBody?: { content: Record<string, { schema: Schema }> } };
export type OpenApiDoc = { paths: Record<string, Record<string, Op>> };

export type FuzzCase = {
  label: string;
  method: string;
  path: string;
  body?: string;
  /** Bytes sent after the request (another, malformed, request on the same connection). */
  junk?: string;
  /** Statuses that are the only right answer, when the defect decides it alone. */
  expect?: number[];
};

/** mulberry32: small, fast, and the same on every machine. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[], n: number): T[] => {
    const copy = [...xs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, pick, int };
}

type Rnd = ReturnType<typeof prng>;

/** Characters that break things: NUL and other controls, lone surrogates, bidi overrides, quotes. */
const NASTY = ['\u0000', '\u0001', '\u001f', '\u007f', '\ud800', '\udfff', '\u202e', '\ufeff', '"', '\\', '%', "'", '\n', 'é', '😀'];

function randomString(rnd: Rnd): string {
  let s = '';
  for (let i = rnd.int(12) + 1; i > 0; i--) s += rnd.next() < 0.4 ? NASTY[rnd.int(NASTY.length)] : String.fromCharCode(32 + rnd.int(95));
  return s;
}

/** Any JSON value at all, biased towards the ones validators forget. */
function randomJson(rnd: Rnd, depth = 0): unknown {
  const kind = rnd.int(depth > 2 ? 4 : 6);
  if (kind === 0) return randomString(rnd);
  if (kind === 1) return (rnd.next() < 0.5 ? -1 : 1) * 10 ** (rnd.int(640) - 320) * rnd.next();
  if (kind === 2) return rnd.next() < 0.5;
  if (kind === 3) return null;
  if (kind === 4) return Array.from({ length: rnd.int(4) }, () => randomJson(rnd, depth + 1));
  return Object.fromEntries(Array.from({ length: rnd.int(4) }, () => [randomString(rnd), randomJson(rnd, depth + 1)]));
}

/** A path segment of random bytes, percent-encoded or not, sometimes not valid UTF-8. */
function randomSegment(rnd: Rnd): string {
  let s = '';
  for (let i = rnd.int(20) + 1; i > 0; i--) {
    const r = rnd.next();
    s += r < 0.3 ? `%${rnd.int(256).toString(16).padStart(2, '0')}` : r < 0.35 ? '%' : String.fromCharCode(48 + rnd.int(75)).replace(/[/?#\\]/, 'x');
  }
  return s;
}

const NUL = 'a\u0000b';
const BAD_ENCODING = ['%ZZ', '%', '%E0%A4%A', '%C0'];
const BAD_SEGMENTS = ['%00', 'a%00b', '%1F', 'x'.repeat(3000), '-1', '1e308', '99999999999999999999', '0', '%F0%9F%92%A9', '%2e%2e', 'null', '%20'];
const BAD_QUERY_VALUES = ['%00', 'a%00b', '%ZZ', '9'.repeat(400), '-1', '1e308', 'NaN', 'x'.repeat(5000), '%5B%5D', '%F0%9F%92%A9', ''];
// None is valid for any numeric field (0.125 is neither an integer nor a hundredth of a cpu).
/** Well-formed paths the sandbox's user may not touch: the runner refuses them (its 4xx must stay one). */
const REFUSED_PATHS = ['/root/x', '/usr/warren-x', '/etc/passwd', '/proc/1/environ', '/sys/kernel/x'];
const BAD_NUMBERS = [1e308, -1e308, 1e-300, 5e-324, 2 ** 53 + 1, 0.125, -1];
const BAD_JSON = ['{', '{"a":', '[1,2', 'nul', '\u0000', '{"x":1}{"y":2}', 'null', '[]', '"text"', '1e400', `${'['.repeat(3000)}${']'.repeat(3000)}`];
const BIG = 'x'.repeat(100_000);

/** A value of the wrong kind, and values no field of that kind accepts. */
function badValues(s: Schema): unknown[] {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const common: unknown[] = [NUL, { nested: NUL }, [NUL], null, BIG];
  if (type === 'number' || type === 'integer') return [...BAD_NUMBERS, '1', true, ...common];
  if (type === 'boolean') return ['true', 1, ...common];
  if (type === 'array') return [{}, [123], Array.from({ length: 2000 }, () => 'x'), ...common];
  if (type === 'object' || s.additionalProperties) return [[], { [NUL]: 'x' }, { k: NUL }, { k: 'lone \ud800' }, { k: 123 }, { k: BIG }, 'text', ...common];
  return [123, true, '\u0000', `${NUL}${'y'.repeat(10)}`, '\u0001\u007f', 'lone \udc00', ...common];
}

/** A minimal valid value (for fields the hand-written bases do not cover). */
function validValue(s: Schema): unknown {
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'number' || type === 'integer') return s.minimum ?? 1;
  if (type === 'boolean') return false;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return 'x';
}

function baseBody(schema: Schema, known: Record<string, unknown> | undefined): Record<string, unknown> {
  if (known) return known;
  return Object.fromEntries((schema.required ?? []).map((k) => [k, validValue(schema.properties?.[k] ?? {})]));
}

type Bases = {
  param: (path: string, name: string) => string;
  query: Record<string, Record<string, string>>;
  body: Record<string, Record<string, unknown>>;
};

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'PROPFIND'];

/** Every case for every operation, in a seeded order; `perOp` bounds the run as the API grows. */
export function fuzzCases(doc: OpenApiDoc, bases: Bases, seed: number, perOp = 250): FuzzCase[] {
  const rnd = prng(seed);
  const cases: FuzzCase[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    const served = Object.keys(ops).map((m) => m.toUpperCase());
    const fill = (name: string, value?: string) =>
      `/api/v1${template.replace(/\{(\w+)\}/g, (_, n: string) => (n === name && value !== undefined ? value : bases.param(template, n)))}`;
    for (const method of ALL_METHODS.filter((m) => !served.includes(m))) {
      cases.push({ label: `${method} ${template}: not served`, method, path: fill(''), expect: [405] });
    }
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      const key = `${m} ${template}`;
      const params = op.parameters ?? [];
      const query = bases.query[key] ?? {};
      const qs = (q: Record<string, string>) => (Object.keys(q).length ? `?${Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&')}` : '');
      const jsonSchema = op.requestBody?.content['application/json']?.schema;
      const body = jsonSchema ? JSON.stringify(baseBody(jsonSchema, bases.body[key])) : undefined;
      const forOp: FuzzCase[] = [];
      for (const p of params.filter((x) => x.in === 'path')) {
        for (const bad of BAD_ENCODING) forOp.push({ label: `${key}: ${p.name}=${bad}`, method, path: fill(p.name, bad) + qs(query), body, expect: [400] });
        for (const bad of [...BAD_SEGMENTS, randomSegment(rnd), randomSegment(rnd), randomSegment(rnd)]) {
          forOp.push({ label: `${key}: ${p.name}=${bad.slice(0, 20)}`, method, path: fill(p.name, bad) + qs(query), body });
        }
      }
      for (const p of params.filter((x) => x.in === 'query')) {
        const values = p.name === 'path' ? [...BAD_QUERY_VALUES, ...REFUSED_PATHS] : BAD_QUERY_VALUES;
        for (const bad of values) forOp.push({ label: `${key}: ?${p.name}=${bad.slice(0, 20)}`, method, path: fill('') + qs({ ...query, [p.name]: bad }), body });
      }
      if (params.some((x) => x.in === 'query')) forOp.push({ label: `${key}: unknown query`, method, path: fill('') + qs({ ...query, zzz: '1' }), body });
      if (jsonSchema) {
        const valid = JSON.parse(body!) as Record<string, unknown>;
        for (const raw of BAD_JSON) forOp.push({ label: `${key}: body ${JSON.stringify(raw.slice(0, 12))}`, method, path: fill('') + qs(query), body: raw, expect: [400] });
        forOp.push({ label: `${key}: oversized body`, method, path: fill('') + qs(query), body: JSON.stringify({ ...valid, pad: 'x'.repeat(3 * 1024 * 1024) }), expect: [413] });
        forOp.push({ label: `${key}: unknown field`, method, path: fill('') + qs(query), body: JSON.stringify({ ...valid, zzz: 1 }), expect: [400] });
        forOp.push({ label: `${key}: junk after a bad body`, method, path: fill('') + qs(query), body: JSON.stringify({ ...valid, zzz: 1 }), junk: 'GARBAGE\r\n\r\n', expect: [400] });
        for (const [prop, s] of Object.entries(jsonSchema.properties ?? {})) {
          const refused = prop === 'path' || prop === 'cwd' ? REFUSED_PATHS : [];
          for (const bad of [...badValues(s), ...refused, randomJson(rnd), randomJson(rnd), randomString(rnd)]) {
            forOp.push({ label: `${key}: ${prop}=${JSON.stringify(bad)?.slice(0, 24)}`, method, path: fill('') + qs(query), body: JSON.stringify({ ...valid, [prop]: bad }) });
          }
        }
      }
      cases.push(...rnd.pick(forOp, perOp));
    }
  }
  return cases;
}
