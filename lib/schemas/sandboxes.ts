import { INTERNAL_PREFIX, isInternalKey } from '@/lib/sandboxes/internal-metadata';
import { z } from 'zod';
import { ISOLATION_LEVELS, ON_TIMEOUT } from '@/db/schema/sandboxes';
import { nameProblem } from '@/lib/sandboxes/name-rule';
import { label, text } from './common';
import { secretNames } from './secrets';

/**
 * Request schemas of the sandbox API. Every object is strict (an unknown field is a 400), and
 * the same schemas feed /api/v1/openapi.json. Limits that depend on the org (cpu, memory, disk,
 * timeout) are checked by the service against the org's limits, not here.
 */

export const sandboxId = z.string().regex(/^[a-z0-9]{3,40}$/, 'Unknown sandbox id');

/** Paths are absolute inside the sandbox; `..` and symlinks are resolved inside it by the runner. */
export const sandboxPath = text(4096)
  .min(1, 'path is required')
  .refine((p) => p.startsWith('/'), 'path must be absolute (start with /)');

const envVars = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,255}$/, 'invalid environment variable name'), text(32 * 1024))
  .refine((e) => Object.keys(e).length <= 256, 'at most 256 environment variables');

const metadata = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'metadata keys are 1–64 letters, digits, _ . -'), text(1024))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata entries');

export const networkPolicy = z.strictObject({
  mode: z.enum(['none', 'egress']),
  allow: z
    .array(
      z
        .string()
        .regex(/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'allow entries are host names such as pypi.org or *.github.com')
        .max(253)
        .refine((h) => !/^[\d.]+$/.test(h), 'allow entries are host names, not IP addresses'),
    )
    .max(100)
    .optional(),
  /** Destination ports open through the allow-list proxy; 80 and 443 when absent. */
  ports: z
    .array(z.number().int('ports are whole numbers').min(1, 'ports are 1-65535').max(65535, 'ports are 1-65535'))
    .min(1)
    .max(64)
    .optional(),
}).refine((n) => !n.ports || (n.mode === 'egress' && n.allow?.length), {
  message: 'ports apply only with an egress allow-list (network.allow)',
  path: ['ports'],
});

/**
 * vCPUs. The runner turns this into a CFS quota of cpu × 100 ms per 100 ms period, and the
 * kernel's smallest quota is 1 ms: below 0.01 the quota rounded to 0, which runc reads as "no
 * limit at all". Hundredths keep every value exact in the database's `real` column too.
 */
const cpu = z
  .number()
  .min(0.01, 'cpu must be at least 0.01')
  .max(64, 'cpu must be at most 64')
  .multipleOf(0.01, 'cpu is counted in hundredths (e.g. 0.25, 1.5)');

/** See lib/sandboxes/names.ts for why a name can never be taken for an id. */
export const sandboxName = z.string().superRefine((n, ctx) => {
  const problem = nameProblem(n);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const createSandboxBody = z.strictObject({
  /** Unique per org among live sandboxes; usable in paths wherever the id is. */
  name: sandboxName.optional(),
  template: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'Unknown template').optional().describe('Template id or name (GET /templates; `base` is the Debian template); absent: the org’s default, else the platform’s (WARREN_DEFAULT_TEMPLATE, `base` unless configured)'),
  cpu: cpu.optional(),
  memoryMb: z.number().int().min(64).max(1024 * 1024).optional(),
  diskMb: z.number().int().min(64).max(1024 * 1024).optional(),
  timeoutSec: z.number().int().min(1).max(366 * 86400).optional(),
  idleTimeoutSec: z.number().int().min(0).max(366 * 86400).optional(),
  /** When the TTL or idle timeout passes: stop (default; files kept), pause (memory kept), or delete. */
  onTimeout: z.enum(ON_TIMEOUT).optional(),
  env: envVars.optional(),
  /** Names of the org's secrets: env secrets by value, egress-only ones as placeholders (README: Secrets). */
  secrets: secretNames.optional(),
  metadata: metadata.optional(),
  network: networkPolicy.optional(),
  /** `container` (runc) or `gvisor` (a user-space kernel in between); unset: the template's level,
   * else the org's default (README: Isolation levels). */
  isolation: z
    .enum(ISOLATION_LEVELS)
    .optional()
    .describe('container or gvisor: how the sandbox is isolated from its host; unset: the template\'s level, else the org default (container, or gvisor when the plan requires it)'),
  snapshotId: z.string().regex(/^[a-z0-9]{3,64}$/, 'Unknown snapshot id').optional(),
});
export type CreateSandboxBody = z.infer<typeof createSandboxBody>;

export const SANDBOX_LIST_STATES = ['creating', 'running', 'paused', 'stopped', 'error'] as const;

/** `metadata=key:value` filters (repeat the parameter for several); cursor from the last page. */
export const listSandboxesQuery = z.strictObject({
  state: z.enum(SANDBOX_LIST_STATES).optional(),
  /** Search: an id (or its start), part of the name, or a metadata key or value; `key:value` matches that pair exactly. */
  q: text(200).trim().min(1).optional(),
  metadata: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(text(1100).regex(/^[A-Za-z0-9_.-]{1,64}:.{0,1024}$/s, 'metadata filters look like key:value')).max(10))
    .optional(),
  cursor: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const timeoutBody = z.strictObject({ timeoutSec: z.number().int().min(1).max(366 * 86400) });

export const execBody = z.strictObject({
  /** An argv array, or a program name with `args`, or (a string alone) a shell line run by `bash -c`. */
  cmd: z.union([text(64 * 1024).min(1), z.array(text(64 * 1024)).min(1).max(1024)]),
  args: z.array(text(64 * 1024)).max(1024).optional(),
  cwd: sandboxPath.optional(),
  env: envVars.optional(),
  stdin: text(1024 * 1024).optional(),
  timeoutSec: z.number().int().min(1).max(3600).optional(),
  user: z.enum(['user', 'root']).optional(),
});
export type ExecBody = z.infer<typeof execBody>;

export const pathQuery = z.strictObject({ path: sandboxPath });
export const removeFileQuery = z.strictObject({ path: sandboxPath, recursive: z.enum(['0', '1', 'true', 'false']).optional() });
export const uploadQuery = z.strictObject({ path: sandboxPath, mode: z.string().regex(/^0?[0-7]{3}$/, 'mode is octal like 0644').optional() });
export const mkdirBody = z.strictObject({ path: sandboxPath });

export const createSnapshotBody = z.strictObject({ name: label(128).optional() });

export const portNumber = z.coerce
  .number({ error: 'port must be a number' })
  .int('port must be an integer')
  .min(1, 'port must be 1–65535')
  .max(65535, 'port must be 1–65535');
const portField = z.number().int('port must be an integer').min(1, 'port must be 1–65535').max(65535, 'port must be 1–65535');
export const exposePortBody = z.strictObject({ port: portField, public: z.boolean().optional() });
export const updatePortBody = z.strictObject({ public: z.boolean() });

/** A background process: the same command forms as exec; it outlives the request. */
export const startProcessBody = z.strictObject({
  cmd: execBody.shape.cmd,
  args: execBody.shape.args,
  cwd: sandboxPath.optional(),
  env: envVars.optional(),
  user: z.enum(['user', 'root']).optional(),
  /** A label to find it by in the list. */
  tag: text(256).optional(),
  /** Keep stdin open for `POST …/processes/:pid/stdin` (default: it reads EOF at once). */
  stdin: z.boolean().optional(),
});
export type StartProcessBody = z.infer<typeof startProcessBody>;
export const processInputBody = z
  .strictObject({ data: text(1024 * 1024).optional(), eof: z.boolean().optional() })
  .refine((b) => b.data !== undefined || b.eof !== undefined, 'Send data, eof, or both');
/** The signal a kill sends (SIGKILL unless named): a command may trap SIGTERM and end cleanly. */
export const killSignalQuery = z.strictObject({
  signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']).optional().describe('Default SIGKILL'),
});
export const pidParam = z.coerce.number({ error: 'pid must be a number' }).int('pid must be an integer').min(1, 'pid must be positive').max(2 ** 22);

/** GET /api/v1/sandboxes/:id/metrics: `since` limits `recent` to the samples after it. */
export const metricsQuery = z.strictObject({ since: z.coerce.date().optional() });

/**
 * What a caller may send to POST /api/v1/sandboxes: Warren's own metadata keys (`warren_…`) are
 * refused there. Not in createSandboxBody itself: Warren's own creates (a demo visitor's sandbox)
 * go through the same service with such a key.
 */
export const publicCreateSandboxBody = createSandboxBody.refine((b) => !Object.keys(b.metadata ?? {}).some(isInternalKey), {
  path: ['metadata'],
  message: `metadata keys starting with ${INTERNAL_PREFIX} are reserved for Warren`,
});
