import path from 'node:path';
import { nodeArgsFor } from '@/lib/ts-bundle.mjs';
import { RUNNER_DIR } from './paths';

/** How every process starts the runner: `node <args>`, from its bundle (lib/ts-bundle.mjs). */
export const runnerNodeArgs = (): string[] => nodeArgsFor(path.join(RUNNER_DIR, 'main.ts'));
