import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
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
  });
});
