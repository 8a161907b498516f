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
