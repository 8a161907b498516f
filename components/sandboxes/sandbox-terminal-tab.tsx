'use client';

import { TerminalSquare } from 'lucide-react';
import * as React from 'react';
import { TerminalPane } from '@/components/terminal/terminal';
import { type ConnectRequest, TerminalFatalError } from '@/components/terminal/terminal-types';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ApiError, api } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { useSandboxMutations } from './use-sandbox-mutations';

type Ticket = { sessionId: string; ticket: string; url: string };

/**
 * The sandbox's shell. A page load joins the sandbox's newest live shell (no sessionId), so a
 * reload comes back to the same session with its recent output; reconnects pass the sessionId.
 */
export function SandboxTerminalTab({ sandbox }: { sandbox: Sandbox }) {
  const { org, can } = useOrg();
  const m = useSandboxMutations();
  const connect = React.useCallback(
    async (req: ConnectRequest) => {
      try {
        const t = await api<Ticket>(`/api/v1/sandboxes/${sandbox.id}/terminal/ticket`, {
          method: 'POST',
          org: org.slug,
          body: req,
        });
        return { url: t.url, sessionId: t.sessionId };
      } catch (err) {
        // Asking again cannot fix a stopped, deleted or forbidden sandbox.
        if (err instanceof ApiError && [401, 403, 404, 409].includes(err.status))
          throw new TerminalFatalError(err.message);
        throw err;
      }
    },
    [sandbox.id, org.slug],
  );

  if (sandbox.state !== 'running') {
    const startable = sandbox.state === 'stopped' || sandbox.state === 'paused';
    return (
      <EmptyState
        icon={TerminalSquare}
        title={sandbox.state === 'creating' ? 'Starting the sandbox…' : `The sandbox is ${sandbox.state}`}
        description={startable ? 'Start it to open a terminal.' : (sandbox.reason ?? undefined)}
        action={
          startable && can('sandboxes:write') ? (
            <Button
              pending={m.busy !== null}
              onClick={() => void m.lifecycle(sandbox.id, sandbox.state === 'paused' ? 'resume' : 'start')}
            >
              {sandbox.state === 'paused' ? 'Resume' : 'Start'}
            </Button>
          ) : null
        }
      />
    );
  }
  return (
    <TerminalPane
      // A restart is a new machine: remount so the pane gets a fresh session.
      key={sandbox.startedAt ?? 'running'}
      connect={connect}
      readOnly={!can('sandboxes:write')}
      className="h-[60vh] min-h-80 rounded-md"
    />
  );
}
