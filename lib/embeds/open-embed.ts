import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError } from '@/lib/errors';
import { createSandbox } from '@/lib/sandboxes/create';
import { SHARE_META_KEY } from '@/lib/sandboxes/internal-metadata';
import { egressHosts } from '@/lib/secrets/vault';
import { openTerminal } from '@/lib/terminal/open-terminal';
import { type ShareRow, shareByToken } from './shares';

/**
 * What an /embed page asks for: a terminal ticket through a share link. A sandbox link joins
 * that sandbox's terminal in the link's mode. A template link gives each visitor a fresh
 * sandbox owned by the org (reused on reconnect when the visitor names it), capped at the
 * link's concurrency and stopped after its short timeout.
 */

export async function openEmbed(token: string, o: { cols?: number; rows?: number; sandboxId?: string }) {
  const share = await shareByToken(token);
  const org = { orgId: share.orgId };
  if (share.sandboxId) {
    const t = await openTerminal(org, share.sandboxId, { cols: o.cols, rows: o.rows, mode: share.mode, share: share.id });
    return { ...t, sandboxId: share.sandboxId, mode: share.mode };
  }
  const sandboxId = (o.sandboxId && (await visitorSandbox(share, o.sandboxId))) || (await oneAtATime(share.id, () => newVisitorSandbox(share)));
  const t = await openTerminal(org, sandboxId, { cols: o.cols, rows: o.rows, mode: 'rw', share: share.id });
  return { ...t, sandboxId, mode: 'rw' as const };
}

// Visitors of one link are admitted one at a time, so the cap cannot be overrun by a burst.
const queues = new Map<string, Promise<unknown>>();
function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = next.catch(() => {});
  queues.set(key, tail);
  void tail.then(() => queues.get(key) === tail && queues.delete(key));
  return next;
}

async function visitorSandbox(share: ShareRow, id: string): Promise<string | null> {
  const db = await getDb();
  const [row] = await db
    .select({ id: schema.sandboxes.id })
    .from(schema.sandboxes)
    .where(
      and(
        eq(schema.sandboxes.id, id),
        eq(schema.sandboxes.orgId, share.orgId),
        eq(schema.sandboxes.state, 'running'),
        isNull(schema.sandboxes.deletedAt),
        sql`${schema.sandboxes.metadata} ->> ${SHARE_META_KEY} = ${share.id}`,
      ),
    );
  return row?.id ?? null;
}

async function newVisitorSandbox(share: ShareRow): Promise<string> {
  const db = await getDb();
  const [{ n }] = (await db
    .select({ n: sql<number>`count(*)::int` })
    .from(schema.sandboxes)
    .where(
      and(
        eq(schema.sandboxes.orgId, share.orgId),
        inArray(schema.sandboxes.state, ['creating', 'running', 'paused']),
        isNull(schema.sandboxes.deletedAt),
        sql`${schema.sandboxes.metadata} ->> ${SHARE_META_KEY} = ${share.id}`,
      ),
    )) as [{ n: number }];
  if (n >= share.maxConcurrent) {
    throw new AppError('rate_limited', `This demo is at capacity (${share.maxConcurrent} visitors at once); try again in a few minutes`);
  }
  const [org] = await db.select().from(schema.orgs).where(eq(schema.orgs.id, share.orgId));
  const scope: OrgScope = {
    orgId: share.orgId,
    orgSlug: org!.slug,
    role: 'developer',
    actor: { type: 'api_key', apiKeyId: `share:${share.id}`, label: `Embed link ${share.label ?? share.id}` },
  };
  // A link with egress-only secrets gives each visitor egress to those secrets' hosts and nothing else.
  const hosts = share.secrets.length ? [...new Set([...(await egressHosts(share.orgId, share.secrets)).values()].flat())] : [];
  const sb = await createSandbox(scope, {
    template: share.template ?? undefined,
    isolation: share.isolation ?? undefined,
    ...(share.secrets.length ? { secrets: share.secrets, network: { mode: 'egress' as const, allow: hosts } } : {}),
    timeoutSec: share.sandboxTimeoutSec,
    idleTimeoutSec: Math.min(share.sandboxTimeoutSec, 300),
    // A visitor does not come back for a stopped demo: it goes at its timeout, not piles up.
    onTimeout: 'delete',
    metadata: { [SHARE_META_KEY]: share.id },
  });
  return sb.id;
}
