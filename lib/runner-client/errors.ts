/** The runner answered with an error: `status`, `code` and `message` are the runner's own. */
export class RunnerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

/** The runner could not be reached at all (down, restarting, wrong address): the console answers 503. */
export class RunnerUnavailableError extends Error {
  readonly status = 503;
  readonly code = 'runner_unavailable';
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'RunnerUnavailableError';
  }
}

/**
 * The runner took longer than the call's deadline, or a stream or transfer stalled for longer
 * than its idle limit. The console answers 504: the runner may still have done (or be doing)
 * what was asked, so a caller should look before retrying anything that creates.
 */
export class RunnerTimeoutError extends Error {
  readonly status = 504;
  readonly code = 'runner_timeout';
  constructor(message: string) {
    super(message);
    this.name = 'RunnerTimeoutError';
  }
}

/** The caller cancelled the call (its AbortSignal fired), e.g. because its own client hung up. */
export class RunnerCallAbortedError extends Error {
  readonly code = 'aborted';
  constructor(readonly reason?: unknown) {
    super('The runner call was cancelled');
    this.name = 'RunnerCallAbortedError';
  }
}

const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EACCES',
  'UND_ERR_SOCKET',
]);

/** Socket-level failures become RunnerUnavailableError; everything else is passed through. */
export function wrapNetworkError(err: unknown, target: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && UNAVAILABLE.has(code)) {
    return new RunnerUnavailableError(`Runner at ${target} is unavailable (${code})`, err);
  }
  return err;
}

export function isRunnerUnavailable(err: unknown): err is RunnerUnavailableError {
  return err instanceof RunnerUnavailableError;
}

/** Failures before a connection existed: the runner never saw the request. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EACCES']);

/**
 * Whether a failed call surely did nothing on the runner: it refused it (a 4xx answer), or the
 * request never reached it. A connection that broke mid-request (the runner died) or a 5xx may
 * have done some or all of the work.
 */
export function surelyNotDone(err: unknown): boolean {
  if (err instanceof RunnerError) return err.status < 500;
  if (err instanceof RunnerUnavailableError) return NEVER_SENT.has((err.cause as NodeJS.ErrnoException | undefined)?.code ?? '');
  return false;
}
