'use client';

import * as React from 'react';
import { TerminalPane } from '@/components/terminal/terminal';
import { type ConnectRequest, TerminalFatalError } from '@/components/terminal/terminal-types';
import { ApiError, api } from '@/lib/client/api';

type EmbedTicket = { url: string; sessionId: string; sandboxId: string; mode: 'rw' | 'ro' };

/**
 * The public embed: the token in the URL is the only credential. A template (demo) link hands
 * each visitor a sandbox; its id is kept in sessionStorage and sent back on reconnect so a
 * visitor keeps their sandbox across drops and reloads of this tab.
 */
export function EmbedTerminal({ token }: { token: string }) {
  const storageKey = `warren-embed:${token}`;
  const connect = React.useCallback(
    async ({ cols, rows }: ConnectRequest) => {
      const sandboxId = sessionStorage.getItem(storageKey) ?? undefined;
      try {
        const t = await api<EmbedTicket>(`/api/embed/${encodeURIComponent(token)}/terminal`, {
          method: 'POST',
          body: { cols, rows, ...(sandboxId ? { sandboxId } : {}) },
        });
        sessionStorage.setItem(storageKey, t.sandboxId);
        return { url: t.url, sessionId: t.sessionId };
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          throw new TerminalFatalError('This link was revoked or has expired. Ask whoever shared it for a new one.');
        }
        if (err instanceof ApiError && (err.status === 409 || err.status === 429 || err.status === 400)) {
          throw new TerminalFatalError(err.message);
        }
        throw err;
      }
    },
    [token, storageKey],
  );
  return <TerminalPane connect={connect} className="h-full" />;
}
