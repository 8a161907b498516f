import { Column, fillPlaceholders, is, SQL, Subquery } from 'drizzle-orm';

/**
 * Rows of a hot prepared select, mapped by a function built once per statement.
 *
 * drizzle maps every row generically: for each field of each row it asks which kind of field it
 * is (`is()` walks the prototype chain) and walks the field's path afresh. For the sandboxes list
 * (20 rows of 30 fields) that was 12 % of the console's CPU per request under load
 * (bench/compare's list, 2026-12-03). Here the decoders and paths are resolved once, and each row
 * is one pass over its values with the same decoders drizzle would use, so the result is the one
 * `.execute()` gives. Anything that is not a postgres.js prepared query (the embedded database
 * opened in-process in tests) goes through drizzle's own `.execute()`.
 */
type Decoder = { mapFromDriverValue: (v: unknown) => unknown };
type Field = { path: string[]; field: unknown };
type PostgresJsPrepared = {
  fields?: Field[];
  queryString: string;
  params: unknown[];
  prepare: boolean;
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
  client: { unsafe: (q: string, p: unknown[], o: { prepare: boolean }) => { values: () => Promise<unknown[][]> } };
  execute: (values?: Record<string, unknown>) => Promise<unknown[]>;
};

function decoderOf(field: unknown): Decoder {
  if (is(field, Column)) return field as unknown as Decoder;
  // (`decoder` is internal in drizzle's types; mapResultRow reads it the same way.)
  if (is(field, SQL)) return (field as unknown as { decoder: Decoder }).decoder;
  if (is(field, Subquery)) return (field as unknown as { _: { sql: { decoder: Decoder } } })._.sql.decoder;
  return (field as { sql: { decoder: Decoder } }).sql.decoder;
}

function compileMapper(fields: Field[]): (row: unknown[]) => unknown {
  const steps = fields.map(({ path, field }) => {
    const decoder = decoderOf(field);
    return { parents: path.slice(0, -1), key: path.at(-1)!, decoder };
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < steps.length; i++) {
      const { parents, key, decoder } = steps[i]!;
      let node = out;
      for (const p of parents) {
        node[p] ??= {};
        node = node[p] as Record<string, unknown>;
      }
      const raw = row[i];
      node[key] = raw === null ? null : decoder.mapFromDriverValue(raw);
    }
    return out;
  };
}

/** drizzle nulls a joined table's object when a left join found nothing; a select with no such
 * join (every table in the map not nullable) never needs that. */
const noNullableJoin = (p: PostgresJsPrepared) => Object.values(p.joinsNotNullableMap ?? {}).every(Boolean);

/** `prepared.execute(values)`, with rows mapped by a mapper compiled on first use. */
export function compiledRows<T>(prepared: { execute: (values?: Record<string, unknown>) => Promise<T[]> }): ((values: Record<string, unknown>) => Promise<T[]>) & { compiled: boolean } {
  const p = prepared as unknown as PostgresJsPrepared;
  const usable = Array.isArray(p.fields) && typeof p.client?.unsafe === 'function' && typeof p.queryString === 'string' && !p.customResultMapper && noNullableJoin(p);
  if (!usable) return Object.assign((values: Record<string, unknown>) => prepared.execute(values), { compiled: false });
  const map = compileMapper(p.fields!);
  return Object.assign(async (values: Record<string, unknown>) => {
    const params = fillPlaceholders(p.params, values);
    const rows = await p.client.unsafe(p.queryString, params, { prepare: p.prepare }).values();
    return rows.map(map) as T[];
  }, { compiled: true });
}
