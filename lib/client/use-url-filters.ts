'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import * as React from 'react';

/**
 * A list's filters kept in the URL's query string, so a filtered view can be shared as a link
 * and the back button returns to the previous filters. Each change is a history entry (push);
 * an empty value removes its parameter. Repeated parameters (`metadata=a:1&metadata=b:2`) are
 * read with `getAll`.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const values = React.useMemo(() => {
    const out = {} as Record<K, string>;
    for (const k of keys) out[k] = params.get(k) ?? '';
    return out;
  }, [params, keys]);
  const getAll = React.useCallback((k: K) => params.getAll(k), [params]);
  const set = React.useCallback(
    (patch: Partial<Record<K, string | string[]>>) => {
      const next = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(patch) as Array<[K, string | string[] | undefined]>) {
        next.delete(k);
        for (const one of Array.isArray(v) ? v : [v ?? '']) if (one.trim()) next.append(k, one.trim());
      }
      const qs = next.toString();
      router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [params, pathname, router],
  );
  return { values, getAll, set, key: params.toString() };
}
