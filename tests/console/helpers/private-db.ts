import postgres from 'postgres';
import { closeDb, getDb } from '@/db';
import { resetEnvCache } from '@/lib/env';

/**
 * A database of this test file's own, for rules that count across the whole platform (the
 * last platform admin): the shared test database holds every other file's admins. Created and
 * migrated before the file's first query, dropped after.
 */
export async function usePrivateDb(tag: string): Promise<() => Promise<void>> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `${base.pathname.slice(1)}_${tag}`.slice(0, 60);
  const adminUrl = new URL(base);
  adminUrl.pathname = '/postgres';
  const sql = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await closeDb();
  const url = new URL(base);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  resetEnvCache();
  await getDb();
  return async () => {
    await closeDb();
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.end();
  };
}
