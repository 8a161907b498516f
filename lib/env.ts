import path from 'node:path';
import { z } from 'zod';
import { smtpUrlProblem } from '@/lib/mail/smtp-url';
import { readTlsFiles, type TlsFiles } from '@/lib/net/tls';

/**
 * Console configuration, parsed once and lazily (so `next build` never needs it).
 * Every variable here is documented in the README's configuration table.
 */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  /** Connections to Postgres per console; unset: twice this machine's cores, plus one (db/index.ts). */
  WARREN_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).optional(),
  WARREN_DATA_DIR: z.string().default('.warren'),
  WARREN_PUBLIC_URL: z.string().url().optional(),
  AUTH_SECRET: z.string().min(16).optional(),
  AUTH_GITHUB_ID: z.string().optional(),
  AUTH_GITHUB_SECRET: z.string().optional(),
  AUTH_GOOGLE_ID: z.string().optional(),
  AUTH_GOOGLE_SECRET: z.string().optional(),
  WARREN_ADMIN_EMAIL: z.string().email().optional(),
  WARREN_ADMIN_PASSWORD: z.string().min(8).optional(),
  WARREN_RUNNER_URL: z.string().optional(),
  WARREN_RUNNER_TOKEN: z.string().optional(),
  WARREN_PREVIEW_DOMAIN: z.string().default('preview.localhost'),
  WARREN_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  /** The E2B envd gateway's own port (E2B_SANDBOX_URL points there); 0 turns it off. */
  WARREN_E2B_PORT: z.coerce.number().int().min(0).max(65535).default(49983),
  /** `domain` in E2B API answers: `getHost(port)` is `{port}-{sandboxId}.{domain}`, served by the gateway. */
  WARREN_E2B_DOMAIN: z.string().optional(),
  // The refusal names the problem, never the value (it holds a password).
  SMTP_URL: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v?.trim() ? smtpUrlProblem(v.trim()) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  MAIL_FROM: z
    .string()
    .regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address, optionally with a name: Warren <warren@example.com>')
    .optional(),
  WARREN_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** PEM certificate chain and key: the console and the E2B gateway then serve HTTPS. Both or neither. */
  WARREN_TLS_CERT: z.string().min(1).optional(),
  WARREN_TLS_KEY: z.string().min(1).optional(),
}).superRefine((e, ctx) => {
  if (!e.WARREN_TLS_CERT !== !e.WARREN_TLS_KEY)
    ctx.addIssue({ code: 'custom', path: ['WARREN_TLS_CERT'], message: 'set WARREN_TLS_CERT and WARREN_TLS_KEY together' });
});

export type Env = z.infer<typeof EnvSchema> & { dataDir: string; publicUrl: string; e2bDomain: string };

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid Warren configuration:\n${lines}`);
  }
  const e = parsed.data;
  cached = {
    ...e,
    dataDir: path.resolve(e.WARREN_DATA_DIR),
    publicUrl: e.WARREN_PUBLIC_URL ?? `${e.WARREN_TLS_CERT ? 'https' : 'http'}://localhost:${e.PORT}`,
    e2bDomain: e.WARREN_E2B_DOMAIN ?? `e2b.localhost:${e.WARREN_E2B_PORT}`,
  };
  return cached;
}

/** The console's and the E2B gateway's certificate when WARREN_TLS_CERT/KEY are set, else null. */
export function tlsFromEnv(): TlsFiles | null {
  const e = env();
  return e.WARREN_TLS_CERT && e.WARREN_TLS_KEY ? readTlsFiles(e.WARREN_TLS_CERT, e.WARREN_TLS_KEY) : null;
}

/** For tests that change process.env between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
