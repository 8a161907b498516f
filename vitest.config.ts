import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@': path.resolve(import.meta.dirname) };

// Vitest's default is one worker per core less one: a single worker on these 2-core machines.
// The console and toolkit files mostly wait (on Postgres, on sandboxes, on a real Warren), so two
// at once keep the cores busy while scripts/test's sandboxes chain runs beside them.
const IO_BOUND_WORKERS = Number(process.env.WARREN_TEST_WORKERS ?? 2);

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
          fileParallelism: false,
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
          maxWorkers: IO_BOUND_WORKERS,
          globalSetup: ['tests/setup/postgres.ts', 'tests/setup/warren.ts'],
          setupFiles: ['tests/setup/env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The kill -9 batteries (README: Tests): real runc and real Postgres, one file at a
        // time, since each owns a runner it keeps killing.
        resolve: { alias },
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/setup/postgres.ts'],
          setupFiles: ['tests/setup/env.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
