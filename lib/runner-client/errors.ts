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
