import type { Db } from './index';

/**
 * A value built once per database handle: for statements run on every request, whose drizzle
 * query building costs more CPU than the database takes to answer them (build them with
 * `.prepare()`). Keyed by the handle, since tests close theirs and open a new one.
 */
export function perDbHandle<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}
