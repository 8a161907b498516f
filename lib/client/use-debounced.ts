'use client';

import * as React from 'react';

/** The value once it has stopped changing for `ms` (search boxes: one query per pause, not per key). */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = React.useState(value);
  React.useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
