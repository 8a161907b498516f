import type WebSocket from 'ws';
import type { OrgScope } from '@/lib/auth/scope';
import { conflict } from '@/lib/errors';
import type { ProcessSignal, PtyCreateRequest } from '@/lib/runner-client';
import { onRunner } from './lifecycle';
import { recentOwnedSandbox } from './store';

/**
 * Terminals by API (the E2B gateway's PTY commands): the runner's own PTY sessions, which live
 * with their shell and sandbox whoever watches. Each call checks the org owns the sandbox.
 */
async function running(scope: OrgScope, id: string) {
  const row = await recentOwnedSandbox(scope, id);
  if (row.state !== 'running') throw conflict(`The sandbox is ${row.state}; start it first`);
  return row;
}

export async function createPty(scope: OrgScope, id: string, req: PtyCreateRequest) {
  return onRunner(await running(scope, id), (c) => c.pty.create(id, req));
}

export async function listPtys(scope: OrgScope, id: string) {
  const row = await recentOwnedSandbox(scope, id);
  if (row.state !== 'running') return [];
  return onRunner(row, (c) => c.pty.list(id));
}

export async function resizePty(scope: OrgScope, id: string, sessionId: string, cols: number, rows: number) {
  await onRunner(await running(scope, id), (c) => c.pty.resize(id, sessionId, cols, rows));
}

export async function killPty(scope: OrgScope, id: string, sessionId: string, signal: ProcessSignal = 'SIGKILL') {
  await onRunner(await running(scope, id), (c) => c.pty.kill(id, sessionId, signal));
}

/** A viewer socket on the runner: binary frames are terminal bytes both ways, text frames JSON. */
export async function attachPty(scope: OrgScope, id: string, sessionId: string): Promise<WebSocket> {
  return onRunner(await running(scope, id), async (c) => c.connectPty(id, sessionId));
}
