import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { StorageConfig } from './storage/open-storage';

/** Runner configuration (zod-parsed environment). Every variable is in the README's table. */
const Schema = z.object({
  WARREN_DATA_DIR: z.string().default('.warren'),
  /** `unix:/path.sock`, `/path.sock` or `HOST:PORT` (loopback recommended). */
  WARREN_RUNNER_LISTEN: z.string().optional(),
  WARREN_RUNNER_TOKEN: z.string().min(16, 'WARREN_RUNNER_TOKEN must be at least 16 characters'),
  /** OCI runtime binary: runc (default), crun, runsc or kata-runtime share the CLI. */
  WARREN_RUNNER_RUNTIME: z.string().default('runc'),
  /** gVisor's runsc for `isolation: 'gvisor'` sandboxes (probed at start); `off` disables the level. */
  WARREN_RUNNER_GVISOR_RUNTIME: z.string().default('runsc'),
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
  /** Where writable layers live: `auto` (a btrfs pool if possible, else ext4 images), `btrfs`, `image`. */
  WARREN_RUNNER_STORAGE: z.enum(['auto', 'btrfs', 'image']).default('auto'),
  /** Size of the btrfs pool's loop file (sparse: it takes only what is written). */
  WARREN_RUNNER_BTRFS_POOL_GB: z.coerce.number().int().min(1).default(64),
  /** A block device already formatted with mkfs.btrfs, used as the pool instead of a loop file. */
  WARREN_RUNNER_BTRFS_DEVICE: z.string().optional(),
  /** A dir on an already-mounted btrfs filesystem: the pool is its warren/ subdir. */
  WARREN_RUNNER_BTRFS_DIR: z.string().optional(),
  /** Registries (host or host:port, comma-separated) pulled over plain HTTP; loopback ones always are. */
  WARREN_RUNNER_INSECURE_REGISTRIES: z.string().default(''),
  /** Largest uncompressed size of one image layer: a decompression bomb stops there. */
  WARREN_RUNNER_MAX_LAYER_MB: z.coerce.number().int().min(1).default(16_384),
  WARREN_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type RunnerConfig = {
  dataDir: string;
  runDir: string;
  listen: { socketPath: string } | { host: string; port: number };
  token: string;
  runtime: string;
  /** null: gVisor is switched off. */
  gvisorRuntime: string | null;
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
  storage: StorageConfig;
  insecureRegistries: string[];
  maxLayerBytes: number;
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
    gvisorRuntime: e.WARREN_RUNNER_GVISOR_RUNTIME === 'off' ? null : e.WARREN_RUNNER_GVISOR_RUNTIME,
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
    storage: {
      mode: e.WARREN_RUNNER_STORAGE,
      poolSizeGb: e.WARREN_RUNNER_BTRFS_POOL_GB,
      device: e.WARREN_RUNNER_BTRFS_DEVICE,
      dir: e.WARREN_RUNNER_BTRFS_DIR ? path.resolve(e.WARREN_RUNNER_BTRFS_DIR) : undefined,
    },
    insecureRegistries: e.WARREN_RUNNER_INSECURE_REGISTRIES.split(',').map((s) => s.trim()).filter(Boolean),
    maxLayerBytes: e.WARREN_RUNNER_MAX_LAYER_MB * 1024 * 1024,
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
