import fs from 'node:fs';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { removeStaleWorkerDirs, secretsKeyFileFor } from './test-leftovers';

/**
 * Integration tests run against a real Postgres: a fresh database on the server named by
 * WARREN_TEST_PG_URL (default the local one on 127.0.0.1:5432), dropped afterwards.
 */
export default async function setup(project: TestProject) {
  removeStaleWorkerDirs();
  const admin = process.env.WARREN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `warren_test_${process.pid}_${Date.now().toString(36)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  project.provide('databaseUrl', url.toString());

  // Apply migrations once, before workers start, so no test races them.
  process.env.DATABASE_URL = url.toString();
  const { getDb, closeDb } = await import('@/db');
  await getDb();
  await closeDb();

  return async () => {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.end();
    removeStaleWorkerDirs();
    fs.rmSync(secretsKeyFileFor(url.toString()), { force: true }); // this run's vault key: its database is gone
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
