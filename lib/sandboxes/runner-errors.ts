import { AppError, ERROR_STATUS, type ErrorCode, isErrorCode } from '@/lib/errors';
import { RunnerCallAbortedError, RunnerError, RunnerTimeoutError, RunnerUnavailableError } from '@/lib/runner-client';
import { runnerUnavailable } from '@/lib/runners/registry';

/** The console's code for a runner status, when the runner's own code is not one of ours. */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  502: 'bad_gateway',
  503: 'runner_unavailable',
  504: 'runner_timeout',
  507: 'storage_full',
};

/**
 * Turns what a runner call threw into the console's own error. A runner 4xx is about the
 * request (a path the sandbox may not touch, a wrong state, a size cap), so the caller gets the
 * same status and the runner's message; the code is the runner's when it means the same in our
 * vocabulary. A runner that cannot be reached is the 503 every caller can retry; one that does
 * not answer in time is a 504.
 */
export function fromRunner(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof RunnerUnavailableError) return runnerUnavailable();
  if (err instanceof RunnerTimeoutError) return new AppError('runner_timeout', `The sandbox runner did not answer in time: ${err.message}`);
  if (err instanceof RunnerCallAbortedError) return new AppError('client_closed_request', 'The request was cancelled before the runner answered');
  if (err instanceof RunnerError) {
    // 401 means the runner refused *our* token: an operator's problem, never the caller's.
    if (err.status === 401) return runnerUnavailable('The runner refused the console’s token (was it rotated?)');
    if ((err.status >= 400 && err.status < 500) || err.status === 502 || err.status === 503 || err.status === 507) {
      const code = isErrorCode(err.code) && ERROR_STATUS[err.code] === err.status ? err.code : (CODE_FOR_STATUS[err.status] ?? 'bad_request');
      return new AppError(code, err.message || code, undefined, err.status);
    }
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
