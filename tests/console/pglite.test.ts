import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '@/db/embedded';
import * as schema from '@/db/schema';

describe('embedded PGlite database', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-pglite-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('migrates, stores a row, and keeps it across a reopen', async () => {
    const first = await openEmbedded(path.join(dir, 'db'), schema);
    await first.db.insert(schema.orgs).values({ slug: 'smoke', name: 'Smoke' });
    await first.close();

    const second = await openEmbedded(path.join(dir, 'db'), schema);
    const rows = await second.db.select().from(schema.orgs).where(eq(schema.orgs.slug, 'smoke'));
    expect(rows.map((r) => r.name)).toEqual(['Smoke']);
    await second.close();
  }, 120_000); // a cold WebAssembly start and every migration, twice: slow on a busy host

  it('runs on its own thread when shared: a slow query does not block this event loop, and the CLI socket answers', async () => {
    const sharedDir = path.join(dir, 'shared');
    fs.mkdirSync(path.join(sharedDir, 'db'), { recursive: true });
    process.env.WARREN_DB_SHARE = '1';
    const handle = await openEmbedded(path.join(sharedDir, 'db'), schema).finally(() => delete process.env.WARREN_DB_SHARE);
    try {
      await handle.db.insert(schema.orgs).values({ slug: 'threaded', name: 'Threaded' });
      let worstGap = 0;
      let last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        worstGap = Math.max(worstGap, now - last);
        last = now;
      }, 5);
      const t0 = performance.now();
      await handle.db.execute(sql`select count(*) from generate_series(1, 3000000)`);
      const queryMs = performance.now() - t0;
      clearInterval(tick);
      // The query keeps PGlite busy for a long while; this thread kept ticking all along (on the
      // same thread the one gap would be the whole query; a loaded machine delays timers a bit).
      expect(queryMs).toBeGreaterThan(200);
      expect(worstGap).toBeLessThan(queryMs / 2);

      const other = await openEmbedded(path.join(sharedDir, 'db'), schema); // as the CLI does
      const rows = await other.db.select().from(schema.orgs).where(eq(schema.orgs.slug, 'threaded'));
      expect(rows.map((r) => r.name)).toEqual(['Threaded']);
      await other.close();
    } finally {
      await handle.close();
    }
    expect(fs.existsSync(path.join(sharedDir, 'db.sock'))).toBe(false);
    const reopened = await openEmbedded(path.join(sharedDir, 'db'), schema);
    expect((await reopened.db.select().from(schema.orgs).where(eq(schema.orgs.slug, 'threaded'))).length).toBe(1);
    await reopened.close();
  }, 120_000);
});
