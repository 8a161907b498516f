import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { recordAudit } from '@/lib/audit/audit';
import { env } from '@/lib/env';
import { AppError, notFound } from '@/lib/errors';
import { ownedSandbox } from '@/lib/sandboxes/store';
import { cutShareViewers } from '@/lib/terminal/live-viewers';
import { checkDemoSecrets } from '@/lib/secrets/vault';
import type { IsolationLevel } from '@/db/schema/sandboxes';
import { isolationFor } from '@/lib/sandboxes/isolation';
import { findTemplate } from '@/lib/templates/templates';
import { effectiveLimits } from '@/lib/sandboxes/limits';

const { terminalShares } = schema;
export type ShareRow = typeof terminalShares.$inferSelect;

export type CreateShare = {
  sandboxId?: string;
  template?: string;
  mode: 'rw' | 'ro';
  label?: string;
  expiresInHours?: number;
  maxConcurrent?: number;
  sandboxTimeoutSec?: number;
  secrets?: string[];
  isolation?: IsolationLevel;
};

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export function shareView(s: ShareRow) {
  return {
    id: s.id,
    sandboxId: s.sandboxId,
    template: s.template,
    mode: s.mode,
    label: s.label,
    maxConcurrent: s.template ? s.maxConcurrent : null,
    sandboxTimeoutSec: s.template ? s.sandboxTimeoutSec : null,
    secrets: s.secrets,
    isolation: s.isolation,
    expiresAt: s.expiresAt?.toISOString() ?? null,
    revokedAt: s.revokedAt?.toISOString() ?? null,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}

/**
 * A template link's visitors' level (the link's, else its template's, else the plan's), checked
 * when the link is made rather than failing every visitor: a level the plan forbids is a 403.
 */
async function checkDemoIsolation(scope: OrgScope, template: string, asked: IsolationLevel | undefined): Promise<void> {
  const [tpl, { plan }] = await Promise.all([findTemplate(scope, template).catch(() => null), effectiveLimits(scope.orgId)]);
  isolationFor(asked, tpl?.isolation ?? null, plan);
}

/** Creates a link; the token is in the returned URL only (shown once, stored as a hash). */
export async function createShare(scope: OrgScope, input: CreateShare) {
  if (!input.sandboxId === !input.template) throw new AppError('bad_request', 'A share link is for one sandbox or for a template, not both');
  if (input.sandboxId) await ownedSandbox(scope, input.sandboxId);
  const names = input.secrets ?? [];
  if (names.length && !input.template) throw new AppError('bad_request', 'Secrets apply to demo links that make a sandbox per visitor (template links)');
  await checkDemoSecrets(scope.orgId, names);
  if (input.isolation && !input.template) throw new AppError('bad_request', 'Isolation applies to demo links that make a sandbox per visitor (template links)');
  if (input.template) await checkDemoIsolation(scope, input.template, input.isolation);
  const token = randomBytes(24).toString('base64url');
  const db = await getDb();
  const [row] = await db
    .insert(terminalShares)
    .values({
      orgId: scope.orgId,
      sandboxId: input.sandboxId ?? null,
      template: input.template ?? null,
      mode: input.template ? 'rw' : input.mode,
      label: input.label ?? null,
      tokenHash: hash(token),
      maxConcurrent: input.maxConcurrent ?? 5,
      sandboxTimeoutSec: input.sandboxTimeoutSec ?? 600,
      secrets: names,
      isolation: input.isolation ?? null,
      createdBy: scope.actor.label,
      expiresAt: input.expiresInHours ? new Date(Date.now() + input.expiresInHours * 3600_000) : null,
    })
    .returning();
  await recordAudit(scope, 'share.create', { type: 'share', id: row!.id }, { sandboxId: row!.sandboxId, template: row!.template, mode: row!.mode, secrets: names, isolation: row!.isolation });
  const url = `${env().publicUrl}/embed/${token}`;
  const snippet = `<iframe src="${url}" width="800" height="480" style="border:0;border-radius:8px" allow="clipboard-read; clipboard-write"></iframe>`;
  return { share: shareView(row!), url, snippet };
}

export async function listShares(scope: Pick<OrgScope, 'orgId'>, sandboxId?: string) {
  const db = await getDb();
  const rows = await db
    .select()
    .from(terminalShares)
    .where(and(eq(terminalShares.orgId, scope.orgId), sandboxId ? eq(terminalShares.sandboxId, sandboxId) : undefined))
    .orderBy(desc(terminalShares.createdAt))
    .limit(200);
  return rows.map(shareView);
}

/** Revoking cuts live viewers off at once. */
export async function revokeShare(scope: OrgScope, id: string) {
  const db = await getDb();
  const [row] = await db
    .update(terminalShares)
    .set({ revokedAt: new Date() })
    .where(and(eq(terminalShares.id, id), eq(terminalShares.orgId, scope.orgId), isNull(terminalShares.revokedAt)))
    .returning();
  if (!row) throw notFound('Share link');
  const cut = cutShareViewers(id);
  await recordAudit(scope, 'share.revoke', { type: 'share', id }, { viewersCut: cut });
  return shareView(row);
}

/** The live share behind a token; revoked, expired and unknown tokens are all "not found". */
export async function shareByToken(token: string): Promise<ShareRow> {
  const db = await getDb();
  const [row] = await db.select().from(terminalShares).where(eq(terminalShares.tokenHash, hash(token)));
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) {
    throw notFound('This link does not exist, has expired or was revoked. Share link');
  }
  return row;
}

export async function shareIsLive(id: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ id: terminalShares.id })
    .from(terminalShares)
    .where(and(eq(terminalShares.id, id), isNull(terminalShares.revokedAt), sql`(${terminalShares.expiresAt} is null or ${terminalShares.expiresAt} > now())`));
  return Boolean(row);
}
