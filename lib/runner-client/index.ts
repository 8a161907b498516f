import { filesApi } from './files-api';
import { imagesApi } from './images-api';
import { liveApi } from './live-api';
import { sandboxesApi } from './sandboxes-api';
import { DEFAULT_TIMEOUTS, type RunnerTimeouts, Transport } from './transport';

export { RunnerCallAbortedError, RunnerError, RunnerTimeoutError, RunnerUnavailableError, isRunnerUnavailable, surelyNotDone } from './errors';
export type * from './types';
export type { BuildStepInput, BuildStepResult, ImageInfo, PullInput } from './images-api';

export type RunnerClientOptions = {
  /** `http://127.0.0.1:PORT` or `unix:/abs/path.sock`. */
  url: string;
  token: string;
  /** Deadlines of the calls (see RunnerTimeouts); missing ones are the defaults. */
  timeouts?: Partial<RunnerTimeouts>;
};
export type { RunnerTimeouts };

/**
 * Typed client of one runner's API (node:http, no dependencies beyond `ws`). Errors: the
 * runner's JSON errors throw RunnerError (status, code, message); a runner that cannot be
 * reached throws RunnerUnavailableError, which the console maps to 503; one that does not answer
 * in time throws RunnerTimeoutError (504), and a cancelled call RunnerCallAbortedError.
 */
export function createRunnerClient({ url, token, timeouts }: RunnerClientOptions) {
  const t = new Transport(url, token, { ...DEFAULT_TIMEOUTS, ...timeouts });
  const sandboxes = sandboxesApi(t);
  const { files, snapshotFiles } = filesApi(t);
  return {
    url,
    ...sandboxes,
    files,
    snapshots: { ...sandboxes.snapshots, files: snapshotFiles },
    ...liveApi(t, token),
    ...imagesApi(t),
  };
}

export type RunnerClient = ReturnType<typeof createRunnerClient>;
