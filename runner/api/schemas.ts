import { z } from 'zod';

/**
 * Request schemas of the runner API. All objects are strict: an unknown field is a 400, so a
 * typo in the console (e.g. `timeout` for `timeoutSec`) fails loudly instead of being ignored.
 */
const noNul = (s: string) => !s.includes('\0');
const str = (max: number) => z.string().max(max).refine(noNul, 'must not contain NUL bytes');

export const envSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,255}$/, 'invalid environment variable name'), str(128 * 1024))
  .refine((e) => Object.keys(e).length <= 512, 'too many environment variables');

export const userSchema = z.enum(['user', 'root']);
export const cmdSchema = z
  .array(str(128 * 1024))
  .min(1, 'cmd needs at least the program')
  .max(4096);
const sandboxPath = str(4096).min(1);

/**
 * Secrets resolved by the console for one boot. Values never appear in an error message (zod's
 * messages name the rule, not the input), a record or a log line.
 */
export const secretName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'invalid secret name');
const hostRule = z.string().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'secret hosts are lowercase host names').max(253);
export const egressSecretSchema = z.strictObject({
  name: secretName,
  placeholder: z.string().regex(/^warren-secret-[a-z0-9]{16,64}$/, 'invalid placeholder'),
  hosts: z.array(hostRule).min(1).max(32),
  // A header value: printable ASCII, no CR/LF (which would split a header), at least 8 characters
  // (shorter ones would be scrubbed out of unrelated answers).
  value: z.string().min(8, 'egress secret values have at least 8 characters').max(8192).regex(/^[\x20-\x7e]+$/, 'egress secret values are printable ASCII'),
  revision: z.number().int().min(0),
});
export const secretsSchema = z
  .strictObject({
    env: z.record(secretName, z.string().max(64 * 1024).refine(noNul, 'must not contain NUL bytes')).optional(),
    egress: z.array(egressSecretSchema).max(64).optional(),
  })
  .refine((s) => {
    const names = [...Object.keys(s.env ?? {}), ...(s.egress ?? []).map((e) => e.name)];
    return names.length <= 64 && new Set(names).size === names.length;
  }, 'at most 64 secrets, each named once');
export const startSandboxSchema = z.strictObject({ secrets: secretsSchema.optional() });
export const updateSecretsSchema = z.strictObject({ egress: z.array(egressSecretSchema).max(64) });
/** Create and start bodies carry secrets (64 KiB each at most). */
export const MAX_SECRETS_BODY = 8 * 1024 * 1024;

export const createSandboxSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'id must be a DNS label')
    .optional(),
  template: z.string().min(1).max(128).optional(),
  image: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'image must be a sha256 manifest digest').optional(),
  snapshotId: z.string().min(1).max(128).optional(),
  isolation: z.enum(['container', 'gvisor']).optional(),
  resources: z
    .strictObject({
      // At least 0.01: a quota that rounds to 0 would make runc apply no CPU limit at all.
      cpu: z.number().min(0.01).max(256).multipleOf(0.01),
      memoryMb: z
        .number()
        .int()
        .min(16)
        .max(4 * 1024 * 1024),
      diskMb: z
        .number()
        .int()
        .min(16)
        .max(64 * 1024 * 1024),
    })
    .partial()
    .optional(),
  network: z
    .strictObject({
      mode: z.enum(['none', 'egress']),
      allow: z.array(z.string().min(1).max(253)).max(256).optional(),
      ports: z.array(z.number().int().min(1).max(65535)).min(1).max(64).optional(),
    })
    .refine((n) => !n.ports || (n.mode === 'egress' && n.allow?.length), 'ports apply only to an egress allow-list')
    .optional(),
  env: envSchema.optional(),
  timeoutSec: z
    .number()
    .int()
    .min(0)
    .max(366 * 86400)
    .optional(),
  idleTimeoutSec: z
    .number()
    .int()
    .min(0)
    .max(366 * 86400)
    .optional(),
  onTimeout: z.enum(['stop', 'pause']).optional(),
  metadata: z.record(z.string().min(1).max(128), z.string().max(4096)).optional(),
  secrets: secretsSchema.optional(),
});

export const setTimeoutSchema = z.strictObject({
  timeoutSec: z
    .number()
    .int()
    .min(0)
    .max(366 * 86400),
});

export const execSchema = z
  .strictObject({
    cmd: cmdSchema,
    cwd: sandboxPath.optional(),
    env: envSchema.optional(),
    stdin: z.string().optional(),
    stdinBase64: z.base64().optional(),
    timeoutSec: z.number().int().min(1).max(3600).default(60),
    user: userSchema.default('user'),
  })
  .refine((b) => b.stdin === undefined || b.stdinBase64 === undefined, 'give stdin or stdinBase64, not both');
export type ExecBody = z.infer<typeof execSchema>;

export const processSchema = z.strictObject({
  cmd: cmdSchema,
  cwd: sandboxPath.optional(),
  env: envSchema.optional(),
  user: userSchema.default('user'),
  tag: z.string().max(256).optional(),
  /** Keep stdin open for `POST …/processes/:pid/stdin` (default: EOF at once, like `cmd </dev/null &`). */
  stdin: z.boolean().optional(),
});
export type ProcessBody = z.infer<typeof processSchema>;

export const processInputSchema = z.strictObject({ data: z.string().max(1024 * 1024).optional(), eof: z.boolean().optional() });

const cols = z.number().int().min(1).max(1000);
const rows = z.number().int().min(1).max(500);
export const ptyCreateSchema = z.strictObject({
  cols,
  rows,
  cmd: cmdSchema.optional(),
  cwd: sandboxPath.optional(),
  env: envSchema.optional(),
  user: userSchema.default('user'),
});
export type PtyCreateBody = z.infer<typeof ptyCreateSchema>;
export const ptyResizeSchema = z.strictObject({ cols, rows });
/** Text frames from a terminal viewer. */
/** Text frames of a terminal viewer: resize it, or end its shell (`kill`, as the SDK's pty.kill). */
export const ptyControlSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('resize'), cols, rows }),
  z.strictObject({ type: z.literal('kill') }),
]);

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const pathQuery = { path: sandboxPath, user: userSchema.default('user') };
export const filePathQuery = z.strictObject(pathQuery);
export const fileRemoveQuery = z.strictObject({ ...pathQuery, recursive: flag.default(false) });
export const fileWatchQuery = z.strictObject({ ...pathQuery, recursive: flag.default(false) });
export const fileWriteQuery = z.strictObject({
  ...pathQuery,
  mode: z
    .string()
    .regex(/^0?[0-7]{3}$/, 'mode is an octal string like 0644')
    .optional(),
  parents: flag.default(false),
});
export const mkdirSchema = z.strictObject({ path: sandboxPath, user: userSchema.default('user') });
export const renameSchema = z.strictObject({ from: sandboxPath, to: sandboxPath, user: userSchema.default('user') });
export const snapshotFilesQuery = z.strictObject({ path: sandboxPath });

export const createSnapshotSchema = z.strictObject({
  name: z.string().min(1).max(256).optional(),
  /** Chosen by the console (so a retry after its crash can find this snapshot); generated when absent. */
  id: z
    .string()
    .regex(/^[a-z0-9]{3,64}$/, 'id must be 3–64 lowercase letters and digits')
    .optional(),
});

export const portParam = z.coerce
  .number({ error: 'port must be a number' })
  .int('port must be an integer')
  .min(1, 'port must be 1-65535')
  .max(65535, 'port must be 1-65535');
export const pidParam = z.coerce.number().int().positive();
/** The signals a caller may send a process (E2B's SendSignal: SIGTERM, SIGKILL; plus the usual few). */
export const SIGNALS = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
export type ProcessSignal = (typeof SIGNALS)[number];
export const signalQuery = z.strictObject({ signal: z.enum(SIGNALS).default('SIGKILL') });

/** The meter's cursor: events after `after` (acknowledging everything up to it). */
export const eventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
