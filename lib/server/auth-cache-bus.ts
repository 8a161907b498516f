import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { getDbHandle } from '@/db';
import { forgetVerifiedApiKeys } from '@/lib/auth/api-key-cache';
import { forgetListenerProof, HEARTBEAT_MS, heardEverythingUpTo, memoClock } from '@/lib/auth/memo-freshness';
import { forgetOrgGates } from '@/lib/billing/org-gate-cache';
import { forgetSandboxRow, forgetSandboxRows, type SandboxRowNotice, settleSandboxRow } from '@/lib/sandboxes/sandbox-row-memo';
import type { BootHook } from './boot';

const CHANNEL = 'warren_auth_cache';
const SANDBOX = 'sandbox:';
const SANDBOX_ROW = 'sandboxrow:';

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
      if (payload.startsWith(SANDBOX)) return forgetSandboxRow(payload.slice(SANDBOX.length)); // one sandbox's row gone, or its id or org changed (drizzle/0026, 0028)
      if (payload.startsWith(SANDBOX_ROW)) {
        const notice = sandboxRowNotice(payload.slice(SANDBOX_ROW.length)); // what one sandbox's row became (drizzle/0028)
        return notice ? settleSandboxRow(notice) : forgetAll();
      }
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

/** drizzle/0028's `[id, org_id, runner_id, state, deleted]`; null for anything else. */
function sandboxRowNotice(json: string): SandboxRowNotice | null {
  try {
    const [id, orgId, runnerId, state, deleted] = JSON.parse(json) as unknown[];
    if (typeof id !== 'string' || typeof orgId !== 'string' || typeof runnerId !== 'string' || typeof state !== 'string' || typeof deleted !== 'boolean') return null;
    return { id, orgId, runnerId, state, deleted };
  } catch {
    return null;
  }
}
