import { and, eq, isNull } from 'drizzle-orm';
import { getDb, schema } from '@/db';

/** The sandbox and exposed-port rows behind a preview host (no org scope: the host names them). */
export async function previewTarget(sandboxId: string, port: number) {
  const db = await getDb();
  const [row] = await db
    .select({ sandbox: schema.sandboxes, port: schema.sandboxPorts })
    .from(schema.sandboxes)
    .leftJoin(schema.sandboxPorts, and(eq(schema.sandboxPorts.sandboxId, schema.sandboxes.id), eq(schema.sandboxPorts.port, port)))
    .where(and(eq(schema.sandboxes.id, sandboxId), isNull(schema.sandboxes.deletedAt)));
  return row ?? null;
}
