'use client';

import * as React from 'react';
import { TerminalPane } from '@/components/terminal/terminal';
import { type ConnectRequest, TerminalFatalError } from '@/components/terminal/terminal-types';
import { ApiError, api } from '@/lib/client/api';
import { type SafeStorage, safeSessionStorage } from '@/lib/client/safe-storage';

type EmbedTicket = { url: string; sessionId: string; sandboxId: string; mode: 'rw' | 'ro' };

/**
 * The public embed: the token in the URL is the only credential. A template (demo) link hands
 * each visitor a sandbox; its id is kept in sessionStorage and sent back on reconnect so a
 * visitor keeps their sandbox across drops and reloads of this tab. Where the browser blocks
 * storage for embedded pages, the id lives in memory: drops still reconnect, a reload starts a
 * new sandbox, and the visitor is told so.
 */
export function EmbedTerminal({ token }: { token: string }) {
  const storageKey = `warren-embed:${token}`;
  const storage = React.useRef<SafeStorage | null>(null);
  const [ephemeral, setEphemeral] = React.useState(false);
  const connect = React.useCallback(
    async ({ cols, rows }: ConnectRequest) => {
      storage.current ??= safeSessionStorage();
      const store = storage.current;
      const sandboxId = store.get(storageKey) ?? undefined;
      try {
        const t = await api<EmbedTicket>(`/api/embed/${encodeURIComponent(token)}/terminal`, {
          method: 'POST',
          body: { cols, rows, ...(sandboxId ? { sandboxId } : {}) },
        });
        store.set(storageKey, t.sandboxId);
        // Only a demo link (one sandbox per visitor) loses anything on reload without storage.
        if (!store.persistent && t.sandboxId) setEphemeral(true);
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
  return (
    <>
      {ephemeral ? (
        <p
          role="status"
          data-testid="embed-storage-notice"
          className="bg-[#451a03] px-3 py-1.5 text-xs text-[#fde68a]"
        >
          This browser blocks storage for embedded pages, so reloading this page starts a new sandbox.
        </p>
      ) : null}
      <TerminalPane connect={connect} className="min-h-0 flex-1" />
    </>
  );
}
