import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@': path.resolve(import.meta.dirname) };

// Vitest's default is one worker per core less one: a single worker on these 2-core machines.
// The console and toolkit files mostly wait (on Postgres, on sandboxes, on a real Warren), so two
// at once keep the cores busy. Three console files at once were no faster in a fresh-clone run
// (325 s against 315 s, 2026-12-04: the cores were already ~90% busy).
const IO_BOUND_WORKERS = Number(process.env.WARREN_TEST_WORKERS ?? 2);
// The toolkit files share one Warren and one org, whose quota of 10 concurrent sandboxes three
// files at once exceeded: two at most.
const TOOLKIT_WORKERS = Math.min(2, IO_BOUND_WORKERS);
// The runner and fault files, two at a time too: alone, each left a core idle for most of its
// run (the batteries 43% busy: waiting on runc, restarts and kills), and every file owns its
// runner, dirs and ports, and its leak checks count only what its own runner made. Measured
// 2026-12-04: runner files 488 → 338 s, faults 522 → 391 s.
const SANDBOX_WORKERS = Number(process.env.WARREN_TEST_SANDBOX_WORKERS ?? 2);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'console',
          include: ['tests/console/**/*.test.ts', 'lib/**/*.test.ts'],
          environment: 'node',
          maxWorkers: IO_BOUND_WORKERS,
          globalSetup: ['tests/setup/postgres.ts'],
          setupFiles: ['tests/setup/env.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'runner',
          include: ['tests/runner/**/*.test.ts'],
          environment: 'node',
          maxWorkers: SANDBOX_WORKERS,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The agent toolkit (sdk/, sdk-python/, the warren CLI's sandbox commands, MCP) against one
        // real Warren started for the whole project (tests/setup/warren.ts).
        resolve: { alias },
        test: {
          name: 'toolkit',
          include: ['tests/toolkit/**/*.test.ts'],
          environment: 'node',
          maxWorkers: TOOLKIT_WORKERS,
          globalSetup: ['tests/setup/postgres.ts', 'tests/setup/warren.ts'],
          setupFiles: ['tests/setup/env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The kill -9 batteries (README: Tests): real runc and real Postgres; each file owns the
        // runner it keeps killing, so the two run side by side.
        resolve: { alias },
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/setup/postgres.ts'],
          setupFiles: ['tests/setup/env.ts'],
          maxWorkers: SANDBOX_WORKERS,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
