'use client';

import * as React from 'react';

/**
 * Page through a keyset-paginated API that only returns a `nextCursor`: keep the cursors
 * already visited, so "Previous" goes back without the API needing to support it.
 * A new `resetKey` (a search, a filter) starts again from the first page.
 */
export function useCursorPages(resetKey = '') {
  const [state, setState] = React.useState<{ key: string; stack: Array<string | undefined> }>({
    key: resetKey,
    stack: [undefined],
  });
  // Derived during render (no effect), so the first query after a reset never uses a stale cursor.
  const stack = state.key === resetKey ? state.stack : [undefined];
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    hasPrevious: stack.length > 1,
    next: (nextCursor: string | null | undefined) => {
      if (nextCursor) setState({ key: resetKey, stack: [...stack, nextCursor] });
    },
    previous: () => setState({ key: resetKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}
