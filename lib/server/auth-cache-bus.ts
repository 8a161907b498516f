import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { getDbHandle } from '@/db';
import { forgetVerifiedApiKeys } from '@/lib/auth/api-key-cache';
import { forgetListenerProof, HEARTBEAT_MS, heardEverythingUpTo, memoClock } from '@/lib/auth/memo-freshness';
import { forgetOrgGates } from '@/lib/billing/org-gate-cache';
import { forgetSandboxRow, forgetSandboxRows } from '@/lib/sandboxes/sandbox-row-memo';
import type { BootHook } from './boot';

const CHANNEL = 'warren_auth_cache';
const SANDBOX = 'sandbox:';

/**
 * Listens for the database's notices that something an API key memo or an org gate memo
 * depends on changed (drizzle/0024's triggers) and forgets those memos at once; and proves the
 * listener alive with a heartbeat of its own, which is what lets a memo live past half a second
 * (lib/auth/memo-freshness.ts says why that is safe). Postgres only: with the embedded database
 * every change is made in this process, which forgets its memos itself, and memos keep their
 * half second.
 */
export const authCacheBus: BootHook = async ({ log }) => {
  const handle = await getDbHandle();
  if (handle.kind !== 'postgres') return undefined;
  const sql = (handle.db as unknown as { $client: Sql }).$client;
  const me = `beat:${randomUUID()}:`;
  const forgetAll = () => {
    forgetVerifiedApiKeys();
    forgetOrgGates();
    forgetSandboxRows();
  };
  let stopped = false;
  const listening = await sql.listen(
    CHANNEL,
    (payload) => {
      if (stopped) return; // after a reconnection, unlisten() below no longer reaches this listener
      if (payload.startsWith(SANDBOX)) return forgetSandboxRow(payload.slice(SANDBOX.length)); // one sandbox's delete or state change (drizzle/0026, 0027)
      if (!payload.startsWith('beat:')) return forgetAll(); // a table's name: something changed
      if (payload.startsWith(me)) heardEverythingUpTo(Number(payload.slice(me.length)));
    },
    // On every (re)connection of the listener: whatever was notified while it was away is lost,
    // so everything memoised before is forgotten, and nothing counts as proven until a heartbeat
    // sent from now on comes back.
    () => {
      if (stopped) return;
      forgetListenerProof();
      forgetAll();
    },
  );
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return; // the last one is still on its way: the database is slow or away
    beating = true;
    sql
      .notify(CHANNEL, `${me}${memoClock()}`)
      .catch(() => {}) // no proof this time: memos fall back to half a second
      .finally(() => {
        beating = false;
      });
  }, HEARTBEAT_MS);
  timer.unref();
  log.debug({ channel: CHANNEL }, 'listening for API key and org changes');
  return async () => {
    stopped = true;
    clearInterval(timer);
    forgetListenerProof();
    await listening.unlisten().catch(() => {});
  };
};
