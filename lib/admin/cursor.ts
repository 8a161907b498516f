import { and, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { badRequest } from '@/lib/errors';

/**
 * Keyset cursors for the admin lists, newest first on (created_at, id). The timestamp travels
 * as microsecond text: a JS Date would round it to milliseconds and pages would skip rows.
 * Lists sorted by something that moves (cost, balance) page by offset instead, in the same
 * opaque cursor, so callers never know which kind they hold.
 */
export const microText = (col: PgColumn) => sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type Cursor = { kind: 'keyset'; at: string; id: string } | { kind: 'offset'; offset: number };

export function encodeKeyset(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

export function encodeOffset(offset: number): string {
  return Buffer.from(`o|${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  const [a, b] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (a === 'o' && b && /^\d{1,6}$/.test(b)) return { kind: 'offset', offset: Number(b) };
  if (!a || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(a) || !b || !/^[a-z0-9]{1,40}$/.test(b)) throw badRequest('Invalid cursor');
  return { kind: 'keyset', at: a, id: b };
}

/** Rows strictly after the cursor in (created_at desc, id desc) order. */
export function afterKeyset(createdAt: PgColumn, id: PgColumn, c: { at: string; id: string }): SQL | undefined {
  return or(lt(createdAt, sql`${c.at}::timestamptz`), and(eq(createdAt, sql`${c.at}::timestamptz`), lt(id, c.id)));
}

/** `%q%` for ILIKE with the pattern characters escaped, or null for no search. */
export function likePattern(q: string | undefined): string | null {
  const t = q?.trim();
  return t ? `%${t.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null;
}

/** Clamps a page size the way every admin list does. */
export const pageSize = (limit: number | undefined, fallback = 50) => Math.min(Math.max(limit ?? fallback, 1), 100);
