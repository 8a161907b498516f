import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Runner configuration (zod-parsed environment). Every variable is in the README's table. */
const Schema = z.object({
  WARREN_DATA_DIR: z.string().default('.warren'),
  /** `unix:/path.sock`, `/path.sock` or `HOST:PORT` (loopback recommended). */
  WARREN_RUNNER_LISTEN: z.string().optional(),
  WARREN_RUNNER_TOKEN: z.string().min(16, 'WARREN_RUNNER_TOKEN must be at least 16 characters'),
  /** OCI runtime binary: runc (default), crun, runsc or kata-runtime share the CLI. */
  WARREN_RUNNER_RUNTIME: z.string().default('runc'),
  /** Mount points, sockets and runtime state (tmpfs, traversable by sandbox uids). */
  WARREN_RUNNER_RUN_DIR: z.string().optional(),
  WARREN_RUNNER_POOL_SIZE: z.coerce.number().int().min(0).max(64).default(2),
  WARREN_RUNNER_MAX_SANDBOXES: z.coerce.number().int().min(1).default(200),
  WARREN_RUNNER_CPU_TOTAL: z.coerce.number().positive().optional(),
  WARREN_RUNNER_MEMORY_MB_TOTAL: z.coerce.number().int().positive().optional(),
  WARREN_RUNNER_MAX_UPLOAD_MB: z.coerce.number().int().min(1).default(100),
  /** How long a terminal whose shell exited stays listed and replayable without viewers. */
  WARREN_RUNNER_PTY_GRACE_MS: z.coerce.number().int().min(100).default(5 * 60 * 1000),
  /** Set by the console for its embedded runner: exit when stdin (the console's pipe) closes. */
  WARREN_RUNNER_EXIT_WITH_PARENT: z.enum(['0', '1']).default('0'),
  /** How often the host's networks are re-read for the egress rules. */
  WARREN_RUNNER_HOST_NET_CHECK_MS: z.coerce.number().int().min(100).default(30_000),
  /** How often each sandbox's CPU time and disk use are sampled for usage metering. */
  WARREN_RUNNER_SAMPLE_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  WARREN_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type RunnerConfig = {
  dataDir: string;
  runDir: string;
  listen: { socketPath: string } | { host: string; port: number };
  token: string;
  runtime: string;
  poolSize: number;
  maxSandboxes: number;
  cpuTotal: number;
  memoryMbTotal: number;
  maxUploadBytes: number;
  ptyGraceMs: number;
  hostNetCheckMs: number;
  logLevel: string;
  exitWithParent: boolean;
  sampleEveryMs: number;
};

export function loadRunnerConfig(source: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const parsed = Schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid runner configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.WARREN_DATA_DIR, 'runner');
  return {
    dataDir,
    // One run dir per data dir, so two runners on one host (tests, dev) never collide.
    runDir: e.WARREN_RUNNER_RUN_DIR ?? `/run/warren/${shortHash(dataDir)}`,
    listen: parseListen(e.WARREN_RUNNER_LISTEN ?? `unix:${path.join(dataDir, 'runner.sock')}`),
    token: e.WARREN_RUNNER_TOKEN,
    runtime: e.WARREN_RUNNER_RUNTIME,
    poolSize: e.WARREN_RUNNER_POOL_SIZE,
    maxSandboxes: e.WARREN_RUNNER_MAX_SANDBOXES,
    cpuTotal: e.WARREN_RUNNER_CPU_TOTAL ?? os.cpus().length,
    memoryMbTotal: e.WARREN_RUNNER_MEMORY_MB_TOTAL ?? Math.floor(os.totalmem() / 1024 / 1024),
    maxUploadBytes: e.WARREN_RUNNER_MAX_UPLOAD_MB * 1024 * 1024,
    ptyGraceMs: e.WARREN_RUNNER_PTY_GRACE_MS,
    hostNetCheckMs: e.WARREN_RUNNER_HOST_NET_CHECK_MS,
    logLevel: e.WARREN_LOG_LEVEL,
    exitWithParent: e.WARREN_RUNNER_EXIT_WITH_PARENT === '1',
    sampleEveryMs: e.WARREN_RUNNER_SAMPLE_SEC * 1000,
  };
}

function parseListen(value: string): RunnerConfig['listen'] {
  if (value.startsWith('unix:')) return { socketPath: path.resolve(value.slice(5)) };
  if (value.startsWith('/')) return { socketPath: value };
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m) throw new Error(`WARREN_RUNNER_LISTEN must be unix:/path or host:port, got ${value}`);
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

function shortHash(s: string): string {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36);
}
