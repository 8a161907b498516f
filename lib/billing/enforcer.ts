import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { logger } from '@/lib/logger';
import { stopOrgSandboxes } from '@/lib/sandboxes/system-stop';
import { enforceEveryMsFromEnv, graceMsFromEnv } from './config';
import { recordSpendNotices } from './spend-notices';
import { type BlockReason, orgStanding } from './standing';

const { billingHolds } = schema;
const log = logger.child({ component: 'billing-enforcer' });

const rowsOf = (res: unknown) => (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;

/** Orgs whose spend can move or whose sandboxes may need stopping: anything running, paused or
 * metered right now, and anything already on hold (to lift it). */
async function candidates(): Promise<string[]> {
  const db = await getDb();
  const res = await db.execute(sql`
    select org_id from sandboxes where deleted_at is null and state in ('creating', 'running', 'paused')
    union select org_id from usage_periods where ended_at is null
    union select org_id from billing_holds`);
  return rowsOf(res).map((r) => String(r.org_id));
}

export type EnforceResult = { orgId: string; blocked: BlockReason | null; stopped: string[]; notices: string[] };

/**
 * One pass of billing enforcement. For each org: record spend notices (alert, limit); if it
 * cannot pay (suspended, spend limit reached, no credit and no payment method) put it on hold
 * from the first time that is seen, and once the grace period has passed (none for a
 * suspension) stop its running and paused sandboxes — never delete them — with an audit entry.
 * An org that can pay again is taken off hold (its sandboxes stay stopped until someone starts
 * them). Safe with several consoles: the hold and notices are keyed rows, stopping is idempotent.
 */
export async function enforceBilling(opts: { now?: Date; graceMs?: number; orgId?: string } = {}): Promise<EnforceResult[]> {
  const now = opts.now ?? new Date();
  const graceMs = opts.graceMs ?? graceMsFromEnv();
  const out: EnforceResult[] = [];
  for (const orgId of opts.orgId ? [opts.orgId] : await candidates()) {
    try {
      out.push(await enforceOrg(orgId, now, graceMs));
    } catch (err) {
      log.warn({ err, orgId }, 'billing enforcement failed for an org; the next pass retries');
    }
  }
  return out;
}

async function enforceOrg(orgId: string, now: Date, graceMs: number): Promise<EnforceResult> {
  const s = await orgStanding(orgId, now);
  const notices = (await recordSpendNotices(s, now)).map((n) => n.kind);
  const db = await getDb();
  if (!s.blocked) {
    const lifted = await db.delete(billingHolds).where(eq(billingHolds.orgId, orgId)).returning();
    if (lifted.length) await recordAudit(systemActor(orgId, 'billing'), 'billing.hold_lifted', { type: 'org', id: orgId }, { reason: lifted[0]!.reason });
    return { orgId, blocked: null, stopped: [], notices };
  }
  // The first pass that sees it sets the deadline; a harsher reason (a suspension) brings it forward.
  const grace = s.blocked === 'suspended' ? 0 : graceMs;
  await db
    .insert(billingHolds)
    .values({ orgId, reason: s.blocked, since: now, stopsAt: new Date(now.getTime() + grace) })
    .onConflictDoUpdate({ target: billingHolds.orgId, set: { reason: s.blocked, stopsAt: sql`least(${billingHolds.stopsAt}, excluded.stops_at)` } });
  const [hold] = await db.select().from(billingHolds).where(eq(billingHolds.orgId, orgId));
  if (!hold || now < hold.stopsAt) return { orgId, blocked: s.blocked, stopped: [], notices };

  const { stopped } = await stopOrgSandboxes(orgId, `billing: ${s.blocked}`);
  // The first console past the grace period records when and why; later passes only add
  // sandboxes that were started in between (a create that raced the hold).
  const [first] = await db
    .update(billingHolds)
    .set({ stoppedAt: now, stoppedSandboxes: stopped })
    .where(and(eq(billingHolds.orgId, orgId), isNull(billingHolds.stoppedAt)))
    .returning();
  if (first) {
    await recordAudit(systemActor(orgId, 'billing'), 'billing.sandboxes_stopped', { type: 'org', id: orgId }, { reason: s.blocked, sandboxes: stopped });
  } else if (stopped.length) {
    await db
      .update(billingHolds)
      .set({ stoppedSandboxes: sql`coalesce(${billingHolds.stoppedSandboxes}, '[]'::jsonb) || ${JSON.stringify(stopped)}::jsonb` })
      .where(eq(billingHolds.orgId, orgId));
  }
  return { orgId, blocked: s.blocked, stopped, notices };
}

/** The enforcer's loop, beside the meter's (lib/server/boot-hooks.ts): every `everyMs`. */
export function startBillingEnforcer(everyMs = enforceEveryMsFromEnv()): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = enforceBilling()
      .catch((err) => log.error({ err }, 'billing enforcement pass failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
