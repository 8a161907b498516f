import { and, eq, ne, sql } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import { recordAudit, systemActor } from '@/lib/audit/audit';
import { fingerprint, open, rewrap } from './crypto';
import { addKeyVersion, keyring, removeKeyVersions } from './keyring';

const { secrets } = schema;

export type RotateReport = { version: number; added: boolean; rewrapped: number; passes: number; pruned: number[]; source: 'env' | 'file' };

/**
 * Key rotation without downtime. With the key file: a new version is added (consoles re-read the
 * file within a second, and at once when they meet a version they lack), then every row's data
 * key is re-wrapped under it and its fingerprint recomputed, one row at a time with a
 * conditional update (a value changed meanwhile is simply taken in the next pass, already under
 * the new key). Reads go on throughout: a row decrypts under its old version until its update
 * commits, under the new one after. With WARREN_SECRETS_KEY the operator adds the version there
 * (on every console) and this re-wraps to it. `prune` then drops versions no row uses.
 */
export async function rotateSecretsKey(opts: { prune?: boolean; settleMs?: number; /** tests only: one org's rows */ orgId?: string } = {}): Promise<RotateReport> {
  const ring = keyring(true);
  const added = ring.source === 'file';
  const version = added ? addKeyVersion() : ring.current;
  // Give every console the time to see the new version before rows are counted as done.
  if (added) await new Promise((r) => setTimeout(r, opts.settleMs ?? 1500));
  const db = await getDb();
  let rewrapped = 0;
  let passes = 0;
  for (; passes < 20; passes++) {
    const rows = await db
      .select()
      .from(secrets)
      .where(and(ne(secrets.keyVersion, version), opts.orgId ? eq(secrets.orgId, opts.orgId) : undefined))
      .limit(500);
    if (!rows.length) break;
    for (const row of rows) {
      const value = open(row.orgId, row.id, row.name, row);
      const next = rewrap(row.orgId, row.id, row.name, row, version);
      const done = await db
        .update(secrets)
        .set({ ...next, fingerprint: fingerprint(row.orgId, value, version) })
        .where(and(eq(secrets.id, row.id), eq(secrets.keyVersion, row.keyVersion), eq(secrets.wrappedKey, row.wrappedKey)))
        .returning({ id: secrets.id });
      rewrapped += done.length;
    }
  }
  const left = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(secrets)
    .where(and(ne(secrets.keyVersion, version), opts.orgId ? eq(secrets.orgId, opts.orgId) : undefined));
  if (Number(left[0]?.n ?? 0) > 0) throw new Error('Some secrets are still under an older key (values keep changing under this run); run rotate-key again');
  let pruned: number[] = [];
  if (opts.prune && ring.source === 'file') {
    pruned = [...keyring(true).keys.keys()].filter((v) => v !== version);
    removeKeyVersions(pruned);
  }
  await recordAudit(systemActor(null, 'warren CLI'), 'secrets.rotate_key', { type: 'keyring', id: String(version) }, { rewrapped, pruned });
  return { version, added, rewrapped, passes, pruned, source: ring.source };
}
