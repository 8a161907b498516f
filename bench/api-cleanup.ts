/**
 * Removes every sandbox a benchmark's console left on its embedded runner. The console stops
 * its runner but (by design) never its sandboxes, and warm-pool members are invisible to the
 * API; so: mark pool members as ordinary, start a runner on the same data dir, delete all.
 * Usage as a script: npx tsx bench/api-cleanup.ts DATA_DIR
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitForSocket } from '../lib/net/wait-for-socket';
import { createRunnerClient } from '../lib/runner-client';
import { loadRunnerConfig } from '../runner/env';
import { mountsUnder } from '../runner/runtime/disk';
import { runnerNodeArgs } from '@/runner/entry';

export async function cleanupRunnerData(dataDir: string): Promise<void> {
  const sandboxes = path.join(dataDir, 'runner', 'sandboxes');
  for (const key of fs.existsSync(sandboxes) ? fs.readdirSync(sandboxes) : []) {
    const file = path.join(sandboxes, key, 'sandbox.json');
    if (!fs.existsSync(file)) continue;
    const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (rec.pooled) fs.writeFileSync(file, JSON.stringify({ ...rec, pooled: false }));
  }
  const socket = path.join(dataDir, 'cleanup.sock');
  const token = 'bench-cleanup-token-0123456789';
  const root = path.resolve(import.meta.dirname, '..');
  const child = spawn(process.execPath, runnerNodeArgs(), {
    cwd: root,
    env: { ...process.env, WARREN_DATA_DIR: dataDir, WARREN_RUNNER_LISTEN: `unix:${socket}`, WARREN_RUNNER_TOKEN: token, WARREN_RUNNER_POOL_SIZE: '0', WARREN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitForSocket(socket, 30_000, { everyMs: 100, giveUp: () => (child.exitCode !== null ? 'cleanup runner did not start' : undefined) });
    const client = createRunnerClient({ url: `unix:${socket}`, token });
    for (const sb of await client.list()) await client.delete(sb.id).catch((err) => console.error(`delete ${sb.id}: ${err.message}`));
    for (const s of await client.snapshots.list()) await client.snapshots.delete(s.id).catch(() => {});
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  // The runner keeps the agent binary on a tmpfs of its own in its run dir for its whole life
  // (running sandboxes execute it); with no sandbox left, nothing needs it.
  const { runDir } = loadRunnerConfig({ ...process.env, WARREN_DATA_DIR: dataDir, WARREN_RUNNER_TOKEN: token, WARREN_RUNNER_RUN_DIR: undefined });
  spawnSync('umount', [path.join(runDir, 'bin')], { stdio: 'ignore' });
  spawnSync('umount', [path.join(runDir, 'secrets')], { stdio: 'ignore' }); // the secret store's tmpfs, likewise
  spawnSync('umount', [path.join(runDir, 'pool')], { stdio: 'ignore' }); // the btrfs pool (its loop device goes with it)
  // Never a recursive delete over a mount (a sandbox the runner could not delete).
  if ((await mountsUnder(runDir)).length === 0) fs.rmSync(runDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await cleanupRunnerData(process.argv[2]!);
}
