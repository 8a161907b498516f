import path from 'node:path';

/**
 * The runner's own directory: the same whether it runs from main.ts through tsx or from the
 * bundle beside it (runner/entry.ts), since this module is in that directory too.
 */
export const RUNNER_DIR = import.meta.dirname;
export const NATIVE_DIR = path.join(RUNNER_DIR, 'native', 'build');
export const PACKAGE_JSON = path.resolve(RUNNER_DIR, '..', 'package.json');
