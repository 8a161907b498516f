import { createApiKey } from '@/lib/api-keys/api-keys';
import { createPlatformAdmin, resetPassword } from '@/lib/admin/admins';
import { ROLES, type Role } from '@/lib/auth/permissions';
import type { OrgScope } from '@/lib/auth/scope';
import { systemActor } from '@/lib/audit/audit';
import { AppError } from '@/lib/errors';
import { createOrg, getOrgBySlug } from '@/lib/orgs/orgs';
import { listRunners, registerRunner, removeRunner } from '@/lib/runners/registry';
import { findUserByEmail } from '@/lib/users/users';
import { rotateSecretsKey } from '@/lib/secrets/rotate';
import { flags, UsageError } from './args';

type Out = (line: string) => void;
const CLI_ACTOR = 'warren CLI';

/** Each command calls the same services as the console; only the actor in the audit log differs. */
export const commands: Record<string, (argv: string[], out: Out) => Promise<void>> = {
  async 'org create'(argv, out) {
    const f = flags(argv, { name: { required: true }, owner: { required: true }, slug: {} });
    const owner = await findUserByEmail(f.owner);
    if (!owner) throw new AppError('not_found', `No account with the e-mail ${f.owner}. The owner must sign up (or be created with "admin create") first.`);
    const org = await createOrg({ userId: owner.id, email: owner.email }, { name: f.name, slug: f.slug }, { auditActor: systemActor(null, CLI_ACTOR) });
    out(`Created org "${org.name}" owned by ${owner.email}`);
    out(org.slug);
  },

  async 'apikey create'(argv, out) {
    const f = flags(argv, { org: { required: true }, name: {}, role: {}, 'expires-in-days': {} });
    const role = (f.role ?? 'developer') as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')}`);
    const days = f['expires-in-days'] === undefined ? null : Number(f['expires-in-days']);
    if (days !== null && !Number.isInteger(days)) throw new UsageError('--expires-in-days must be a whole number of days');
    const org = await getOrgBySlug(f.org);
    // The operator acts as the platform, with owner rights in the org; the audit log says "warren CLI".
    const scope: OrgScope = { orgId: org.id, orgSlug: org.slug, role: 'owner', actor: { type: 'api_key', apiKeyId: 'cli', label: CLI_ACTOR } };
    const { apiKey, key } = await createApiKey(
      scope,
      { name: f.name ?? `CLI key ${new Date().toISOString().slice(0, 10)}`, role, expiresInDays: days },
      { auditActor: systemActor(org.id, CLI_ACTOR) },
    );
    out(`Created API key "${apiKey.name}" (${apiKey.role}) for org ${org.slug}. It is shown only now:`);
    out(key);
  },

  async 'admin create'(argv, out) {
    const f = flags(argv, { email: { required: true }, password: { required: true } });
    const { user, created } = await createPlatformAdmin(f.email, f.password);
    out(created ? `Created platform admin ${user.email}` : `${user.email} is now a platform admin; password updated`);
  },

  async 'admin reset-password'(argv, out) {
    const f = flags(argv, { email: { required: true }, password: { required: true } });
    const user = await resetPassword(f.email, f.password);
    out(`Password updated for ${user.email}`);
  },

  /**
   * Rotates the vault's key-encryption key: a new version in the key file (or the current one of
   * WARREN_SECRETS_KEY), every secret re-wrapped under it while consoles keep serving.
   */
  async 'secrets rotate-key'(argv, out) {
    const f = flags(argv, { prune: { boolean: true } });
    const r = await rotateSecretsKey({ prune: Boolean(f.prune) });
    if (r.added) out(`Added key version ${r.version} to $WARREN_DATA_DIR/secrets-key`);
    else out(`WARREN_SECRETS_KEY is set: re-wrapping under its highest version, ${r.version} (add a new N:<key> there on every console to rotate)`);
    out(`Re-wrapped ${r.rewrapped} secret${r.rewrapped === 1 ? '' : 's'} in ${r.passes} pass${r.passes === 1 ? '' : 'es'}; every secret is now under version ${r.version}`);
    if (r.pruned.length) out(`Removed key version${r.pruned.length > 1 ? 's' : ''} ${r.pruned.join(', ')} from the key file`);
    else if (r.source === 'file') out('Older versions stay in the key file until you run this with --prune (after every console has re-read it)');
  },

  /** Registers another host's runner (its API URL and token) for placement. */
  async 'runner add'(argv, out) {
    const f = flags(argv, { id: { required: true }, url: { required: true }, token: { required: true }, name: {} });
    if (!/^[a-z0-9-]{1,40}$/.test(f.id)) throw new UsageError('--id is 1–40 lowercase letters, digits or hyphens');
    if (!/^(unix:\/|https?:\/\/)/.test(f.url)) throw new UsageError('--url is http(s)://HOST:PORT or unix:/path/to/runner.sock');
    const row = await registerRunner({ id: f.id, name: f.name, url: f.url, token: f.token });
    out(`Registered runner ${row.id} at ${row.url}`);
  },

  async 'runner list'(_argv, out) {
    for (const r of await listRunners()) {
      const cap = r.capacity ? `${r.capacity.sandboxes}/${r.capacity.maxSandboxes} sandboxes` : 'capacity unknown';
      out(`${r.id}\t${r.state}\t${r.url}\t${cap}\tlast seen ${r.heartbeatAt?.toISOString() ?? 'never'}`);
    }
  },

  async 'runner remove'(argv, out) {
    const f = flags(argv, { id: { required: true } });
    await removeRunner(f.id);
    out(`Removed runner ${f.id}`);
  },
};
