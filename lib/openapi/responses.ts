import { z } from 'zod';

/**
 * Response shapes of the sandbox API, for the OpenAPI document only (handlers build them from
 * typed views in lib/sandboxes/view.ts; tests check the two agree on the fields that matter).
 */
const ts = z.iso.datetime();
const nullableTs = ts.nullable();

export const sandboxResponse = z.object({
  id: z.string(),
  name: z.string().nullable(),
  state: z.enum(['creating', 'running', 'paused', 'stopped', 'error']),
  desiredState: z.enum(['running', 'paused', 'stopped', 'deleted']),
  reason: z.string().nullable(),
  template: z.string(),
  templateBuildId: z.string().nullable().describe('The exact template build (version) it was made from; null for the built-in template'),
  snapshotId: z.string().nullable(),
  cpu: z.number(),
  memoryMb: z.number().int(),
  diskMb: z.number().int(),
  network: z.object({ mode: z.enum(['none', 'egress']), allow: z.array(z.string()).optional(), ports: z.array(z.number().int()).optional() }),
  metadata: z.record(z.string(), z.string()).describe('Set by whoever created the sandbox (Warren\'s own keys are never here)'),
  shareId: z.string().nullable().describe('The demo link that made this sandbox for one of its visitors, else null'),
  secrets: z.array(z.string()),
  timeoutSec: z.number().int(),
  idleTimeoutSec: z.number().int(),
  onTimeout: z.enum(['stop', 'pause', 'delete']),
  isolation: z.enum(['container', 'gvisor']).describe('How the sandbox is isolated from its host: runc (container) or gVisor'),
  expiresAt: nullableTs,
  lastActivityAt: nullableTs,
  createdBy: z.string(),
  createdAt: ts,
  startedAt: nullableTs,
  stoppedAt: nullableTs,
  costMicros: z.number().int().describe('Cost so far in micro-dollars (all kinds, closed and running time)'),
});

export const sandboxListResponse = z.object({ sandboxes: z.array(sandboxResponse), nextCursor: z.string().nullable() });

export const execResponse = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
});

/** One line of the NDJSON exec stream. */
export const execEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), pid: z.number().int() }),
  z.object({ type: z.literal('stdout'), data: z.string() }),
  z.object({ type: z.literal('stderr'), data: z.string() }),
  z.object({ type: z.literal('exit'), exitCode: z.number().int().nullable(), signal: z.string().nullable(), durationMs: z.number(), timedOut: z.boolean() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

export const execLogResponse = z.object({
  entries: z.array(z.object({ id: z.string(), cmd: z.string(), exitCode: z.number().int().nullable(), durationMs: z.number().int(), createdAt: ts })),
});

export const metricsResponse = z.object({
  cpuSeconds: z.number(),
  memoryBytes: z.number(),
  diskBytes: z.number(),
  pids: z.number().int(),
  recent: z
    .array(z.object({ at: ts, cpuPercent: z.number().describe('Over the interval before `at`; 100 = one full vCPU'), memoryBytes: z.number() }))
    .describe('The last 30 minutes sampled every 5 s while running, oldest first (after `since` when given); kept in the runner’s memory'),
});

const fileEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  size: z.number().int(),
  mode: z.string(),
  mtime: ts,
  target: z.string().optional(),
});
export const fileListResponse = z.object({ path: z.string(), entries: z.array(fileEntry) });
export const uploadResponse = z.object({ path: z.string(), size: z.number().int() });
export const okResponse = z.object({ ok: z.literal(true) });

export const snapshotResponse = z.object({ id: z.string(), name: z.string().nullable(), sandboxId: z.string(), sizeBytes: z.number().int(), createdAt: ts });
export const snapshotDetailResponse = snapshotResponse.extend({ usedBy: z.array(z.string()) });
export const snapshotListResponse = z.object({ snapshots: z.array(snapshotResponse) });

export const portResponse = z.object({ port: z.number().int(), public: z.boolean(), url: z.url(), createdAt: ts });
export const portListResponse = z.object({ ports: z.array(portResponse) });


export const processStartResponse = z.object({ pid: z.number().int(), cmd: z.array(z.string()), startedAt: ts });
export const processListResponse = z.object({
  processes: z.array(
    z.object({
      pid: z.number().int(),
      cmd: z.array(z.string()),
      tag: z.string().nullable(),
      startedAt: ts,
      running: z.boolean(),
      exitCode: z.number().int().nullable().optional(),
      signal: z.string().nullable().optional(),
    }),
  ),
});
/** One line of a background process's NDJSON output stream. */
export const processEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stdout'), data: z.string() }),
  z.object({ type: z.literal('stderr'), data: z.string() }),
  z.object({ type: z.literal('exit'), exitCode: z.number().int().nullable(), signal: z.string().nullable() }),
  z.object({ type: z.literal('detached') }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

/** One line of a code cell's NDJSON stream (POST /sandboxes/{id}/code). */
export const codeEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stdout'), text: z.string() }),
  z.object({ type: z.literal('stderr'), text: z.string() }),
  z.object({
    type: z.literal('result'),
    text: z.string().optional(),
    png: z.string().optional().describe('base64 PNG (matplotlib figures)'),
    html: z.string().optional(),
    json: z.unknown().optional(),
    is_main_result: z.boolean(),
  }),
  z.object({ type: z.literal('error'), name: z.string(), value: z.string(), traceback: z.string() }),
  z.object({ type: z.literal('number_of_executions'), execution_count: z.number().int() }),
]);

export const codeContext = z.object({ id: z.string(), language: z.enum(['python', 'javascript', 'bash']), cwd: z.string() });
export const codeContextList = z.object({ contexts: z.array(codeContext) });
