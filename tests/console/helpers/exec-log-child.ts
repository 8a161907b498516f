/**
 * A console that dies right after answering: it records two exec log entries the way the exec
 * route does (journal, then queue) and is killed with SIGKILL before the queue is flushed, as an
 * OOM kill or `kill -9` right after the response would.
 */
import { recordExec } from '@/lib/sandboxes/exec-log-writer';

const [orgId, sandboxId] = [process.env.ORG_ID!, process.env.SANDBOX_ID!];
recordExec(orgId, sandboxId, ['echo', 'first'], 0, 3);
recordExec(orgId, sandboxId, ['false'], 1, 2);
console.log('recorded');
process.kill(process.pid, 'SIGKILL');
