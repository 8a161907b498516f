import type { z } from 'zod';
import type { Operation } from '@/lib/schemas/openapi';
import { createContextBody, runCodeBody } from '@/lib/schemas/code';
import {
  createSandboxBody,
  createSnapshotBody,
  execBody,
  killSignalQuery,
  exposePortBody,
  listSandboxesQuery,
  metricsQuery,
  processInputBody,
  startProcessBody,
  mkdirBody,
  pathQuery,
  removeFileQuery,
  timeoutBody,
  updatePortBody,
  uploadQuery,
} from '@/lib/schemas/sandboxes';
import * as r from './responses';

/** An operation plus what it answers: a JSON schema, raw bytes, or JSON with an NDJSON alternative. */
export type DocOperation = Operation & {
  response?: z.ZodType;
  bytes?: 'response' | 'request';
  ndjson?: z.ZodType;
  /** Answers NDJSON only (a stream of these events, one per line). */
  ndjsonOnly?: z.ZodType;
};

const sb = '/sandboxes/{id}';
const read = 'sandboxes:read' as const;
const write = 'sandboxes:write' as const;
const del = 'sandboxes:delete' as const;

const lifecycle = (action: string, what: string): DocOperation => ({
  method: 'post',
  path: `${sb}/${action}`,
  summary: `${what} (409 from any other state)`,
  permission: write,
  response: r.sandboxResponse,
});

export const sandboxOperations: DocOperation[] = [
  { method: 'post', path: '/sandboxes', summary: 'Create a sandbox (or fork one from snapshotId); 429 over the org’s limits', permission: write, body: createSandboxBody, status: 201, response: r.sandboxResponse, idempotent: true },
  { method: 'get', path: '/sandboxes', summary: 'List sandboxes, newest first; filters state and metadata=key:value (repeatable)', permission: read, query: listSandboxesQuery, response: r.sandboxListResponse },
  { method: 'get', path: sb, summary: 'One sandbox, with the runner’s live state', permission: read, response: r.sandboxResponse },
  { method: 'delete', path: sb, summary: 'Delete a sandbox and everything in it', permission: del, response: r.okResponse },
  lifecycle('start', 'Start a stopped sandbox (needs a free concurrency slot)'),
  lifecycle('stop', 'Stop a running or paused sandbox: processes end, files stay'),
  lifecycle('pause', 'Freeze a running sandbox, memory kept'),
  lifecycle('resume', 'Thaw a paused sandbox'),
  { method: 'post', path: `${sb}/timeout`, summary: 'Set the hard TTL to timeoutSec from now (at most the org maximum)', permission: write, body: timeoutBody, response: r.sandboxResponse },
  {
    method: 'post',
    path: `${sb}/exec`,
    summary: 'Run a command; JSON result, or NDJSON events with Accept: application/x-ndjson',
    permission: write,
    body: execBody,
    response: r.execResponse,
    idempotent: true,
    ndjson: r.execEvent,
  },
  {
    method: 'post',
    path: `${sb}/code`,
    summary: 'Run a cell in a stateful code context (python, javascript, bash; a kernel in the sandbox holds it): NDJSON events',
    permission: write,
    body: runCodeBody,
    ndjsonOnly: r.codeEvent,
  },
  { method: 'get', path: `${sb}/code/contexts`, summary: 'The sandbox’s code contexts', permission: read, response: r.codeContextList },
  { method: 'post', path: `${sb}/code/contexts`, summary: 'A new code context (its own kernel)', permission: write, body: createContextBody, status: 201, response: r.codeContext },
  { method: 'post', path: `${sb}/code/contexts/{contextId}`, summary: 'Restart a context: a fresh kernel under the same id', permission: write, response: r.codeContext },
  { method: 'delete', path: `${sb}/code/contexts/{contextId}`, summary: 'Delete a context (its kernel is killed)', permission: write, response: r.okResponse },
  { method: 'get', path: `${sb}/exec-log`, summary: 'Recent commands with exit codes and durations', permission: read, response: r.execLogResponse },
  { method: 'get', path: `${sb}/metrics`, summary: 'CPU seconds, memory, disk and process count, live, with the recent history', permission: read, query: metricsQuery, response: r.metricsResponse },
  { method: 'get', path: `${sb}/files`, summary: 'List a directory (absolute path inside the sandbox)', permission: read, query: pathQuery, response: r.fileListResponse },
  { method: 'delete', path: `${sb}/files`, summary: 'Remove a file, or a directory with recursive=1', permission: write, query: removeFileQuery, response: r.okResponse },
  { method: 'get', path: `${sb}/files/content`, summary: 'Download a file’s bytes', permission: read, query: pathQuery, bytes: 'response' },
  {
    method: 'put',
    path: `${sb}/files/content`,
    summary: 'Upload the raw request body to path (parents created); 413 over the upload cap',
    permission: write,
    query: uploadQuery,
    bytes: 'request',
    status: 201,
    response: r.uploadResponse,
  },
  { method: 'post', path: `${sb}/files/mkdir`, summary: 'mkdir -p', permission: write, body: mkdirBody, status: 201 },
  { method: 'post', path: `${sb}/snapshots`, summary: 'Snapshot the sandbox’s filesystem', permission: write, body: createSnapshotBody, status: 201, response: r.snapshotResponse, idempotent: true },
  { method: 'get', path: `${sb}/snapshots`, summary: 'Snapshots taken from this sandbox', permission: read, response: r.snapshotListResponse },
  { method: 'post', path: `${sb}/ports`, summary: 'Expose a port at its preview URL (private unless public); 429 past the org’s ports per sandbox (default 10)', permission: write, body: exposePortBody, status: 201, response: r.portResponse },
  { method: 'get', path: `${sb}/ports`, summary: 'Exposed ports with their preview URLs', permission: read, response: r.portListResponse },
  { method: 'patch', path: `${sb}/ports/{port}`, summary: 'Make a port public or private', permission: write, body: updatePortBody, response: r.portResponse },
  { method: 'delete', path: `${sb}/ports/{port}`, summary: 'Unexpose a port', permission: write, response: r.okResponse },
  { method: 'post', path: `${sb}/processes`, summary: 'Start a background process (it outlives the request); stdin: true keeps its stdin open', permission: write, body: startProcessBody, status: 201, response: r.processStartResponse },
  { method: 'get', path: `${sb}/processes`, summary: 'Background processes, running and recently exited', permission: read, response: r.processListResponse },
  { method: 'get', path: `${sb}/processes/{pid}/output`, summary: 'NDJSON: recent output replayed, then live, then exit; hanging up leaves it running', permission: read, ndjsonOnly: r.processEvent },
  { method: 'post', path: `${sb}/processes/{pid}/stdin`, summary: 'Write to the stdin of a process started with stdin: true; eof closes it', permission: write, body: processInputBody, response: r.okResponse },
  { method: 'delete', path: `${sb}/processes/{pid}`, summary: 'Kill a background process (SIGKILL, or ?signal=SIGTERM and the usual few)', permission: write, query: killSignalQuery, response: r.okResponse },
  { method: 'get', path: '/snapshots', summary: 'All the org’s snapshots', permission: read, response: r.snapshotListResponse },
  { method: 'get', path: '/snapshots/{id}', summary: 'One snapshot and the sandboxes forked from it', permission: read, response: r.snapshotDetailResponse },
  { method: 'delete', path: '/snapshots/{id}', summary: 'Delete a snapshot (409 while forks use it)', permission: 'snapshots:delete', response: r.okResponse },
  { method: 'get', path: '/snapshots/{id}/files', summary: 'List a directory of a snapshot, read-only', permission: read, query: pathQuery, response: r.fileListResponse },
  { method: 'get', path: '/snapshots/{id}/files/content', summary: 'Read a file of a snapshot', permission: read, query: pathQuery, bytes: 'response' },
];
