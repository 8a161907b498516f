import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { closeDb } from '@/db';
import { authenticateApiKey } from '@/lib/auth/api-key-auth';
import { listAudit } from '@/lib/audit/audit';
import { signInWithPassword } from '@/lib/users/sign-in';
import { findUserByEmail } from '@/lib/users/users';
import { makeUser, uniq } from './helpers/fixtures';
import { runCli } from './helpers/cli';

afterAll(closeDb);

const env = () => ({ ...process.env, DATABASE_URL: inject('databaseUrl'), WARREN_LOG_LEVEL: 'silent' });

// Each case spawns the CLI (tsx compiling it) several times: seconds apiece on a busy machine.
describe('warren CLI (Postgres)', { timeout: 90_000 }, () => {
  it('org create prints the new slug on its last line; apikey create prints a working key', async () => {
    const owner = await makeUser();
    const name = `Cli Org ${uniq()}`;
    const org = await runCli(['org', 'create', '--name', name, '--owner', owner.email.toUpperCase()], env());
    expect(org.stderr).toBe('');
    expect(org.code).toBe(0);
    expect(org.lastLine).toBe(name.toLowerCase().replaceAll(' ', '-'));

    const key = await runCli(['apikey', 'create', '--org', org.lastLine, '--name', 'deploy bot', '--role', 'viewer'], env());
    expect(key.code).toBe(0);
    expect(key.lastLine).toMatch(/^wrn_[A-Za-z0-9]{40}$/);
    const scope = await authenticateApiKey(key.lastLine);
    expect(scope).toMatchObject({ orgSlug: org.lastLine, role: 'viewer' });
    const { events } = await listAudit(scope);
    expect(events.map((e) => [e.action, e.actor.type, e.actor.label])).toEqual([
      ['api_key.create', 'system', 'warren CLI'],
      ['org.create', 'system', 'warren CLI'],
    ]);
  });

  it('admin create makes a platform admin who can sign in; running it again resets the password', async () => {
    const email = `ops-${uniq()}@test.example`;
    const first = await runCli(['admin', 'create', '--email', email, '--password', 'first-password'], env());
    expect(first.code).toBe(0);
    expect((await findUserByEmail(email))?.isPlatformAdmin).toBe(true);
    await runCli(['admin', 'create', '--email', email, '--password', 'second-password'], env());
    await expect(signInWithPassword({ email, password: 'second-password' })).resolves.toMatchObject({ isPlatformAdmin: true });
    const reset = await runCli(['admin', 'reset-password', '--email', email, '--password', 'third-password'], env());
    expect(reset.lastLine).toBe(`Password updated for ${email}`);
    await expect(signInWithPassword({ email, password: 'third-password' })).resolves.toBeTruthy();
  });

  it('fails with a message on stderr and exit status 1 for bad usage and unknown things', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['org', 'create', '--name', 'X'], /Missing --owner/],
      [['org', 'create', '--name', 'X', '--owner', `nobody-${uniq()}@test.example`], /No account with the e-mail/],
      [['apikey', 'create', '--org', `missing-${uniq()}`], /Organization "missing-.*" not found/],
      [['apikey', 'create', '--org', 'x', '--role', 'god'], /--role must be one of/],
      [['apikey', 'create', '--org', 'x', '--bogus', '1'], /Unknown option '--bogus'/],
      [['admin', 'create', '--email', 'not-an-email', '--password', 'long-enough'], /valid e-mail/],
      [['frobnicate'], /Unknown command: frobnicate/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, env())));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it('runner add registers another host for placement (token stored encrypted), list shows it, remove drops it', async () => {
    // In a database of its own: a registered runner is a placement candidate for every test file
    // sharing the test database, and another file's build or create would be sent to 10.0.0.5.
    const base = new URL(inject('databaseUrl'));
    const name = `${base.pathname.slice(1)}_runners_${uniq()}`.slice(0, 60);
    const server = new URL(base);
    server.pathname = '/postgres';
    const admin = postgres(server.toString(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const own = new URL(base);
    own.pathname = `/${name}`;
    const ownEnv = () => ({ ...env(), DATABASE_URL: own.toString() });
    const db = postgres(own.toString(), { max: 1, onnotice: () => {} });
    try {
      const id = `host-${uniq()}`;
      const add = await runCli(['runner', 'add', '--id', id, '--url', 'http://10.0.0.5:7070', '--token', 'a-runner-token-0123456789'], ownEnv());
      expect(add.code).toBe(0);
      const [row] = await db`select url, token_ciphertext from runners where id = ${id}`;
      expect(row?.url).toBe('http://10.0.0.5:7070');
      expect(row?.token_ciphertext).not.toContain('a-runner-token');
      expect((await runCli(['runner', 'list'], ownEnv())).stdout).toContain(`${id}\tready\thttp://10.0.0.5:7070`);
      expect((await runCli(['runner', 'remove', '--id', id], ownEnv())).code).toBe(0);
      expect(await db`select id from runners where id = ${id}`).toHaveLength(0);
      const bad = await runCli(['runner', 'add', '--id', id, '--url', 'ftp://x', '--token', 't'], ownEnv());
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--url is');
    } finally {
      await db.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
