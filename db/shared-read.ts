/**
 * One read serving every request that asked for it before it started (request coalescing that
 * never serves a stale answer). A caller joins a read of the same key only while that read has
 * not yet started: its statement then reaches the database after the caller asked, so it sees
 * everything committed before the caller asked, as the caller's own read would have. A read
 * already under way is never joined; callers arriving meanwhile share the next one, which starts
 * when it ends. So each key has at most one read in flight and one gathering callers.
 *
 * Why: under many concurrent identical reads (an agent fleet polling its org's sandbox list),
 * each answered its own statement, parsed its own rows and serialised its own JSON; the embedded
 * database, one session, queued them all. Shared answers must be treated as read-only.
 */
export type SharedReads<T> = (key: string, read: () => Promise<T>) => Promise<T>;

type Gathering<T> = { promise: Promise<T>; start: () => void };

export function sharedReads<T>(): SharedReads<T> {
  const gathering = new Map<string, Gathering<T>>();
  const inFlight = new Set<string>();

  const launch = (key: string, g: Gathering<T>) => {
    gathering.delete(key);
    inFlight.add(key);
    g.start();
  };

  return (key, read) => {
    const open = gathering.get(key);
    if (open) return open.promise;
    let start!: () => void;
    const promise = new Promise<T>((resolve, reject) => {
      start = () => {
        // An async wrapper: a read that throws at once rejects its callers instead of the caller.
        (async () => read())()
          .then(resolve, reject)
          .finally(() => {
            inFlight.delete(key);
            const next = gathering.get(key);
            if (next) launch(key, next);
          });
      };
    });
    const g = { promise, start };
    gathering.set(key, g);
    // Nothing under way for this key: start after this turn of the event loop, so requests whose
    // bytes arrived in the same turn share it; otherwise the read under way starts it when done.
    if (!inFlight.has(key))
      setImmediate(() => {
        if (gathering.get(key) === g && !inFlight.has(key)) launch(key, g);
      });
    return promise;
  };
}
