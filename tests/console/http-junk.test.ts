import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { createApiKey } from '@/lib/api-keys/api-keys';
import type { OrgScope } from '@/lib/auth/scope';
import { makeKey, makeOrg, uniq } from './helpers/fixtures';
import { startConsoleApi } from './helpers/next-like';
import { rawExchange, rawRequest } from './helpers/raw-http';

/**
 * Bytes after a request's Content-Length are the next request on the connection. When they are
 * junk, the request before them is still complete and valid: it is carried out and answered
 * first, and the 400 that follows belongs to the junk. An error answer never stands for a
 * request that went ahead.
 */
let api: Awaited<ReturnType<typeof startConsoleApi>>;
let scope: OrgScope;
let key: string;
beforeAll(async () => {
  api = await startConsoleApi();
  ({ scope } = await makeOrg());
  key = await makeKey(scope, 'owner');
});
afterAll(async () => {
  await api?.close();
  await closeDb();
});

/** Gives a handler the old behaviour left running (its socket gone) the time to finish. */
const settle = () => new Promise((r) => setTimeout(r, 300));

const JUNK = ['GARBAGE\r\n\r\n', '\u0000\u0001\u0002 not http at all', 'X'];

async function keyRow(name: string) {
  const db = await getDb();
  return (await db.select().from(schema.apiKeys).where(and(eq(schema.apiKeys.orgId, scope.orgId), eq(schema.apiKeys.name, name))))[0];
}

describe('junk after a Content-Length body', () => {
  it('a revoke that went ahead is answered 200 before the junk gets its 400', async () => {
    for (const junk of JUNK) {
      const { apiKey } = await createApiKey(scope, { name: `victim ${uniq()}`, role: 'viewer' });
      const answers = await rawExchange(api.port, rawRequest('DELETE', `/api/v1/api-keys/${apiKey.id}`, { key }) + junk);
      await settle();
      const revoked = await (await getDb())
        .select()
        .from(schema.apiKeys)
        .where(and(eq(schema.apiKeys.id, apiKey.id), isNotNull(schema.apiKeys.revokedAt)));
      // The rule under test: if the request's own answer is an error, nothing happened.
      if (answers[0]!.status >= 400) expect(revoked, `${JSON.stringify(junk)}: answered ${answers[0]!.status} but revoked`).toEqual([]);
      expect(answers.map((a) => a.status)).toEqual([200, 400]);
      expect(revoked).toHaveLength(1);
      expect(JSON.parse(answers[1]!.body)).toMatchObject({ error: { code: 'bad_request', message: expect.stringMatching(/Malformed HTTP request/) } });
    }
  });

  it('a create with a body is answered 201 and exists; the 400 is the junk’s', async () => {
    for (const junk of JUNK) {
      const name = `junk ${uniq()}`;
      const answers = await rawExchange(api.port, rawRequest('POST', '/api/v1/api-keys', { key, body: JSON.stringify({ name }) }) + junk);
      await settle();
      if (answers[0]!.status >= 400) expect(await keyRow(name), `answered ${answers[0]!.status} but created`).toBeUndefined();
      expect(answers.map((a) => a.status)).toEqual([201, 400]);
      expect(JSON.parse(answers[0]!.body).apiKey.name).toBe(name);
      expect(await keyRow(name)).toBeTruthy();
    }
  });

  it('pipelined requests are all answered in order before the junk’s 400', async () => {
    const names = [`pipe ${uniq()}`, `pipe ${uniq()}`];
    const bytes = names.map((name) => rawRequest('POST', '/api/v1/api-keys', { key, body: JSON.stringify({ name }) })).join('') + JUNK[0];
    const answers = await rawExchange(api.port, bytes);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 400]);
    for (const name of names) expect(await keyRow(name)).toBeTruthy();
  });

  it('broken framing in a second request never turns into an error answer for the first', async () => {
    const first = `first ${uniq()}`;
    const second = JSON.stringify({ name: `second ${uniq()}` });
    const broken = `POST /api/v1/api-keys HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${second.length.toString(16)}\r\n${second}\r\nZZ\r\n\r\n`;
    const answers = await rawExchange(api.port, rawRequest('POST', '/api/v1/api-keys', { key, body: JSON.stringify({ name: first }) }) + broken);
    await settle();
    // The first is answered (and done) before the broken second gets its 400.
    expect(answers.map((a) => a.status)).toEqual([201, 400]);
    expect(await keyRow(first)).toBeTruthy();
  });

  it('broken framing inside a body is that request’s own 400, and nothing is created', async () => {
    const name = `chunked ${uniq()}`;
    const body = JSON.stringify({ name });
    const head = `POST /api/v1/api-keys HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
    const answers = await rawExchange(api.port, `${head}${body.length.toString(16)}\r\n${body}\r\nZZ-not-a-size\r\n\r\n`);
    await settle();
    expect(answers.map((a) => a.status)).toEqual([400]);
    expect(await keyRow(name)).toBeUndefined();
  });
});
