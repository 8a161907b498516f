import type { OrgScope } from '@/lib/auth/scope';
import { csvLine } from '@/lib/csv';
import { type AuditFilter, listAudit } from './audit';

const BATCH = 500;
const HEAD = ['time', 'actor_type', 'actor', 'action', 'target_type', 'target_id', 'data'];

/**
 * Every event of the org matching the filter as CSV, newest first, streamed: one keyset page of
 * 500 at a time as the client reads, so a year of events never sits in memory, and a client
 * that goes away stops the queries. Cells are formula-safe (lib/csv.ts).
 */
export function auditCsvStream(scope: Pick<OrgScope, 'orgId'>, filter: AuditFilter): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(enc.encode(csvLine(HEAD)));
      }
      const page = await listAudit(scope, { cursor, limit: BATCH, maxLimit: BATCH, filter });
      const text = page.events
        .map((e) => csvLine([e.createdAt, e.actor.type, e.actor.label, e.action, e.target?.type, e.target?.id, e.data ? JSON.stringify(e.data) : '']))
        .join('');
      if (text) controller.enqueue(enc.encode(text));
      if (!page.nextCursor) controller.close();
      else cursor = page.nextCursor;
    },
  });
}
