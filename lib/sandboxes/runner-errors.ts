import { AppError, type ErrorCode } from '@/lib/errors';
import { RunnerError, RunnerUnavailableError } from '@/lib/runner-client';
import { runnerUnavailable } from '@/lib/runners/registry';

const PASS_THROUGH = new Set<ErrorCode>([
  'bad_request',
  'validation_failed',
  'not_found',
  'conflict',
  'payload_too_large',
  'quota_exceeded',
  'rate_limited',
  'runner_unavailable',
]);

/**
 * Turns what a runner call threw into the console's own error. The runner's 4xx codes are the
 * same vocabulary as ours (409 for a wrong state, 413 over a cap…) and pass through with their
 * message; a runner that cannot be reached is the 503 every caller can retry.
 */
export function fromRunner(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof RunnerUnavailableError) return runnerUnavailable();
  if (err instanceof RunnerError) {
    const code = err.code as ErrorCode;
    if (PASS_THROUGH.has(code)) return new AppError(code, err.message || code);
    if (err.status === 413) return new AppError('payload_too_large', err.message);
    if (err.status === 409) return new AppError('conflict', err.message);
    if (err.status === 404) return new AppError('not_found', err.message || 'Not found');
    if (err.status === 400) return new AppError('bad_request', err.message);
    return new AppError('internal', `The sandbox runner failed: ${err.message || `HTTP ${err.status}`}`);
  }
  return err;
}

/** Runs a runner call and rethrows its failure as the console's error. */
export async function viaRunner<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromRunner(err);
  }
}

export const isRunnerNotFound = (err: unknown) => err instanceof RunnerError && err.status === 404;
