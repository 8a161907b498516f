import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { type DbOrTx, getDb, schema } from '@/db';
import { recordAudit } from '@/lib/audit/audit';
import type { OrgScope } from '@/lib/auth/scope';
import { AppError, conflict, notFound } from '@/lib/errors';
import { newId } from '@/lib/ids';
import type { EgressSecret, SandboxSecretsInput } from '@/lib/runner-client';
import { type CreateSecretBody, createSecretBody, EGRESS_VALUE_MESSAGE, EGRESS_VALUE_RE, type UpdateSecretBody, updateSecretBody } from '@/lib/schemas/secrets';
import { fingerprint, lastTwo, newPlaceholder, open, seal } from './crypto';

const { secrets, sandboxes, templates, terminalShares } = schema;
export type SecretRow = typeof secrets.$inferSelect;

/**
 * The vault (README: Secrets): org-scoped, write-only. Every read path returns `SecretView`,
 * which has no value field at all; the only function that decrypts for use is `resolveSecrets`
 * (sandbox create/start, the reconciler's refresh of egress secrets), whose result goes to the
 * runner and nowhere else.
 */
export type SecretView = {
  name: string;
  description: string;
  /** Egress-only when non-empty: sandboxes get `placeholder` and the runner's proxy puts the value in. */
  hosts: string[];
  kind: 'env' | 'egress';
  placeholder: string | null;
  fingerprint: string;
  /** The value's last two characters, for values of 12 characters or more. */
  last2: string | null;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  lastUsedAt: string | null;
  /** Sandboxes (not deleted), demo links (not revoked) and templates (its registry password) that name it. */
  usedBy: { sandboxes: number; shares: number; templates: number };
};

export type SecretUsage = {
  sandboxes: Array<{ id: string; state: string }>;
  shares: Array<{ id: string; label: string | null }>;
  templates: Array<{ id: string; name: string }>;
};

export function secretView(r: SecretRow, usedBy = { sandboxes: 0, shares: 0, templates: 0 }): SecretView {
  return {
    name: r.name,
    description: r.description,
    hosts: r.hosts,
    kind: r.hosts.length ? 'egress' : 'env',
    placeholder: r.hosts.length ? r.placeholder : null,
    fingerprint: r.fingerprint,
    last2: r.last2,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    usedBy,
  };
}

const usesName = (col: typeof sandboxes.secrets | typeof terminalShares.secrets, name: string) => sql`${col} @> ${JSON.stringify([name])}::jsonb`;

async function usage(db: DbOrTx, orgId: string, name: string): Promise<SecretUsage> {
  const sbs = await db
    .select({ id: sandboxes.id, state: sandboxes.state })
    .from(sandboxes)
    .where(and(eq(sandboxes.orgId, orgId), isNull(sandboxes.deletedAt), usesName(sandboxes.secrets, name)))
    .orderBy(asc(sandboxes.createdAt))
    .limit(500);
  const shares = await db
    .select({ id: terminalShares.id, label: terminalShares.label })
    .from(terminalShares)
    .where(and(eq(terminalShares.orgId, orgId), isNull(terminalShares.revokedAt), usesName(terminalShares.secrets, name)))
    .limit(500);
  const tpls = await db
    .select({ id: templates.id, name: templates.name })
    .from(templates)
    .where(and(eq(templates.orgId, orgId), isNull(templates.deletedAt), eq(templates.registryPasswordSecret, name)))
    .limit(500);
  return { sandboxes: sbs, shares, templates: tpls };
}

export async function listSecrets(scope: OrgScope): Promise<SecretView[]> {
  const db = await getDb();
  const rows = await db.select().from(secrets).where(eq(secrets.orgId, scope.orgId)).orderBy(asc(secrets.name));
  if (!rows.length) return [];
  // How many sandboxes and links name each secret: one grouped query each over the org's rows.
  const count = async (table: 'sandboxes' | 'terminal_shares') => {
    const live = table === 'sandboxes' ? sql`t.deleted_at is null` : sql`t.revoked_at is null`;
    const res = await db.execute<{ name: string; n: number }>(
      sql`select s.name as name, count(*)::int as n from ${sql.identifier(table)} t cross join lateral jsonb_array_elements_text(t.secrets) as s(name)
          where t.org_id = ${scope.orgId} and ${live} group by s.name`,
    );
    const list = (Array.isArray(res) ? res : (res as { rows: Array<{ name: string; n: number }> }).rows) as Array<{ name: string; n: number }>;
    return new Map(list.map((x) => [x.name, Number(x.n)]));
  };
  const sbCounts = await count('sandboxes');
  const shareCounts = await count('terminal_shares');
  const tplCounts = new Map<string, number>();
  const tpls = await db
    .select({ secret: templates.registryPasswordSecret })
    .from(templates)
    .where(and(eq(templates.orgId, scope.orgId), isNull(templates.deletedAt)));
  for (const t of tpls) if (t.secret) tplCounts.set(t.secret, (tplCounts.get(t.secret) ?? 0) + 1);
  return rows.map((r) =>
    secretView(r, { sandboxes: sbCounts.get(r.name) ?? 0, shares: shareCounts.get(r.name) ?? 0, templates: tplCounts.get(r.name) ?? 0 }),
  );
}

async function ownedSecret(db: DbOrTx, orgId: string, name: string): Promise<SecretRow> {
  const [row] = await db
    .select()
    .from(secrets)
    .where(and(eq(secrets.orgId, orgId), eq(secrets.name, name)));
  if (!row) throw notFound(`Secret ${name}`);
  return row;
}

export async function getSecret(scope: OrgScope, name: string): Promise<SecretView & { usage: SecretUsage }> {
  const db = await getDb();
  const row = await ownedSecret(db, scope.orgId, name);
  const u = await usage(db, scope.orgId, name);
  return { ...secretView(row, { sandboxes: u.sandboxes.length, shares: u.shares.length, templates: u.templates.length }), usage: u };
}

export async function createSecret(scope: OrgScope, input: CreateSecretBody): Promise<SecretView> {
  const body = createSecretBody.parse(input);
  const db = await getDb();
  const id = newId();
  const sealed = seal(scope.orgId, id, body.value);
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(secrets)
      .values({
        id,
        orgId: scope.orgId,
        name: body.name,
        description: body.description ?? '',
        hosts: body.hosts ?? [],
        ...sealed,
        fingerprint: fingerprint(scope.orgId, body.value, sealed.keyVersion),
        last2: lastTwo(body.value),
        placeholder: newPlaceholder(),
        createdBy: scope.actor.label,
        updatedBy: scope.actor.label,
      })
      .onConflictDoNothing({ target: [secrets.orgId, secrets.name] })
      .returning();
    if (!inserted) throw conflict(`A secret named ${body.name} already exists`);
    await recordAudit(scope, 'secret.create', { type: 'secret', id: body.name }, { hosts: inserted.hosts }, tx);
    return inserted;
  });
  return secretView(row);
}

export async function updateSecret(scope: OrgScope, name: string, input: UpdateSecretBody): Promise<SecretView> {
  const body = updateSecretBody.parse(input);
  const db = await getDb();
  const row = await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(secrets)
      .where(and(eq(secrets.orgId, scope.orgId), eq(secrets.name, name)))
      .for('update');
    if (!current) throw notFound(`Secret ${name}`);
    const hosts = body.hosts ?? current.hosts;
    // Making a secret egress-only (or keeping it so) with a value that cannot go into a header.
    if (hosts.length && body.value === undefined && !current.hosts.length) {
      if (!EGRESS_VALUE_RE.test(open(scope.orgId, current.id, current.name, current))) throw new AppError('validation_failed', EGRESS_VALUE_MESSAGE);
    }
    if (hosts.length && body.value !== undefined && !EGRESS_VALUE_RE.test(body.value)) throw new AppError('validation_failed', EGRESS_VALUE_MESSAGE);
    const changes: Partial<typeof secrets.$inferInsert> = { updatedBy: scope.actor.label, updatedAt: new Date() };
    if (body.description !== undefined) changes.description = body.description;
    const hostsChanged = body.hosts !== undefined && JSON.stringify(body.hosts) !== JSON.stringify(current.hosts);
    if (hostsChanged) changes.hosts = body.hosts;
    if (body.value !== undefined) {
      const sealed = seal(scope.orgId, current.id, body.value);
      Object.assign(changes, sealed, { fingerprint: fingerprint(scope.orgId, body.value, sealed.keyVersion), last2: lastTwo(body.value) });
    }
    if (body.value !== undefined || hostsChanged) changes.revision = current.revision + 1;
    const [updated] = await tx.update(secrets).set(changes).where(eq(secrets.id, current.id)).returning();
    const fields = [body.value !== undefined && 'value', body.description !== undefined && 'description', hostsChanged && 'hosts'].filter(Boolean);
    await recordAudit(scope, 'secret.update', { type: 'secret', id: name }, { fields }, tx);
    return updated!;
  });
  await refreshEgressSecrets(scope.orgId, name);
  return secretView(row);
}

export async function deleteSecret(scope: OrgScope, name: string): Promise<{ name: string; usage: SecretUsage }> {
  const db = await getDb();
  const u = await db.transaction(async (tx) => {
    const row = await ownedSecret(tx, scope.orgId, name);
    const used = await usage(tx, scope.orgId, name);
    await tx.delete(secrets).where(eq(secrets.id, row.id));
    await recordAudit(scope, 'secret.delete', { type: 'secret', id: name }, { sandboxes: used.sandboxes.length, shares: used.shares.length, templates: used.templates.length }, tx);
    return used;
  });
  await refreshEgressSecrets(scope.orgId, name);
  return { name, usage: u };
}

/**
 * The values a sandbox gets, decrypted for the runner: env secrets by value, egress-only ones with
 * their placeholder and hosts. An unknown name is a 400 naming it (and nothing is used). The use
 * is recorded by the caller, in the transaction of the create or start (markSecretsUsed).
 */
export async function resolveSecrets(orgId: string, names: string[]): Promise<SandboxSecretsInput> {
  if (!names.length) return {};
  const db = await getDb();
  const rows = await db
    .select()
    .from(secrets)
    .where(and(eq(secrets.orgId, orgId), inArray(secrets.name, names)));
  const missing = names.filter((n) => !rows.some((r) => r.name === n));
  if (missing.length) {
    throw new AppError('validation_failed', `Unknown secret${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (create ${missing.length > 1 ? 'them' : 'it'} under Secrets first)`, { secrets: missing });
  }
  const out: Required<SandboxSecretsInput> = { env: {}, egress: [] };
  for (const r of rows) {
    const value = open(orgId, r.id, r.name, r);
    if (r.hosts.length) out.egress.push({ name: r.name, placeholder: r.placeholder, hosts: r.hosts, value, revision: r.revision });
    else out.env[r.name] = value;
  }
  return out;
}

/** Records a use (create or start): last_used_at and one audit entry naming the secrets, in `tx`. */
export async function markSecretsUsed(tx: DbOrTx, scope: OrgScope, names: string[], sandboxId: string, action: 'create' | 'start'): Promise<void> {
  if (!names.length) return;
  await tx
    .update(secrets)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(secrets.orgId, scope.orgId), inArray(secrets.name, names)));
  await recordAudit(scope, 'secret.use', { type: 'sandbox', id: sandboxId }, { secrets: names, action }, tx);
}

/** `*.example.com` covers `a.example.com` and `*.b.example.com`; a name covers itself. */
export function hostCovered(host: string, allow: string[]): boolean {
  return allow.some((rule) => {
    const r = rule.toLowerCase();
    if (r === host) return true;
    if (!r.startsWith('*.')) return false;
    const base = host.startsWith('*.') ? host.slice(2) : host;
    return base.endsWith(r.slice(1)) && base.length > r.length - 1;
  });
}

/**
 * How secrets and the network combine: an egress-only secret needs network egress (it is used by
 * the runner's proxy on the way out); with an allow-list, each of its hosts must be allowed (the
 * proxy checks the list before it looks at secrets). A secret may not shadow an env variable.
 */
export function checkSecretsFit(resolved: SandboxSecretsInput, network: { mode: 'none' | 'egress'; allow?: string[] }, env: Record<string, string>): void {
  for (const name of [...Object.keys(resolved.env ?? {}), ...(resolved.egress ?? []).map((e) => e.name)]) {
    if (Object.hasOwn(env, name)) throw new AppError('validation_failed', `${name} is both in env and in secrets; give it once`);
  }
  for (const e of resolved.egress ?? []) {
    if (network.mode !== 'egress') {
      throw new AppError('validation_failed', `Secret ${e.name} is egress-only (${e.hosts.join(', ')}): the sandbox needs network {"mode":"egress"}, optionally with an allow-list that includes those hosts`);
    }
    const outside = network.allow?.length ? e.hosts.filter((h) => !hostCovered(h, network.allow!)) : [];
    if (outside.length) throw new AppError('validation_failed', `Secret ${e.name} is for ${outside.join(', ')}, which network.allow does not include`);
  }
}

/**
 * A demo link's visitors are anonymous and get a shell: an env secret would be theirs to read.
 * Only egress-only secrets may go on a link (usable, never readable); an unknown name is a 400.
 */
export async function checkDemoSecrets(orgId: string, names: string[]): Promise<void> {
  if (!names.length) return;
  const hosts = await egressHosts(orgId, names);
  const env = names.filter((n) => hosts.get(n)?.length === 0);
  if (env.length) throw new AppError('validation_failed', `Demo links take only egress-only secrets (with allowed hosts): every visitor could read ${env.join(', ')}`);
}

/** Each named secret's hosts ([] for an env secret); unknown names are a 400 naming them. */
export async function egressHosts(orgId: string, names: string[]): Promise<Map<string, string[]>> {
  const db = await getDb();
  const rows = names.length
    ? await db
        .select({ name: secrets.name, hosts: secrets.hosts })
        .from(secrets)
        .where(and(eq(secrets.orgId, orgId), inArray(secrets.name, names)))
    : [];
  const missing = names.filter((n) => !rows.some((r) => r.name === n));
  if (missing.length) throw new AppError('validation_failed', `Unknown secret${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, { secrets: missing });
  return new Map(rows.map((r) => [r.name, r.hosts]));
}

/** Egress secrets of a running sandbox as the vault has them now (for the runner's proxy). */
export async function currentEgress(orgId: string, names: string[]): Promise<EgressSecret[]> {
  if (!names.length) return [];
  const db = await getDb();
  const rows = await db
    .select()
    .from(secrets)
    .where(and(eq(secrets.orgId, orgId), inArray(secrets.name, names), ne(sql`jsonb_array_length(${secrets.hosts})`, 0)));
  return rows.map((r) => ({ name: r.name, placeholder: r.placeholder, hosts: r.hosts, value: open(orgId, r.id, r.name, r), revision: r.revision }));
}

/** {name, revision} of the egress secrets among `names`: what a running sandbox should hold. */
export async function egressRevisions(orgId: string, names: string[]): Promise<Map<string, number>> {
  if (!names.length) return new Map();
  const db = await getDb();
  const rows = await db
    .select({ name: secrets.name, revision: secrets.revision, hosts: secrets.hosts })
    .from(secrets)
    .where(and(eq(secrets.orgId, orgId), inArray(secrets.name, names)));
  return new Map(rows.filter((r) => r.hosts.length).map((r) => [r.name, r.revision]));
}

// Late import: lib/sandboxes imports this module for create/start.
async function refreshEgressSecrets(orgId: string, name: string): Promise<void> {
  const { pushEgressSecrets } = await import('./propagate');
  await pushEgressSecrets(orgId, name);
}
