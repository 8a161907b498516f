import { spawn } from 'node:child_process';
import path from 'node:path';
import { nodeArgsFor } from '@/lib/ts-bundle.mjs';
import { agentEnv } from './warren';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const CLI = nodeArgsFor(path.join(ROOT, 'cli/main.ts'));

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `warren …` as a separate process with an agent's environment (WARREN_API_URL/KEY). */
export function warrenCli(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...agentEnv(), ...opts.env } as NodeJS.ProcessEnv;
    const child = spawn(process.execPath, [...CLI, ...args], { env, cwd: opts.cwd ?? ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
