import { AppError } from '@/lib/errors';

/**
 * A full disk is not a rate limit: the runner answers 507 Insufficient Storage, keeping the
 * `quota_exceeded` code (lib/errors has no storage code; its default status for it is 429).
 */
export class StorageFullError extends AppError {
  override readonly status: number = 507;
  constructor(message = 'Sandbox disk quota exceeded') {
    super('quota_exceeded', message);
  }
}

/** errno code → API error; codes not listed are not the caller's fault and stay 500s. */
const MAP: Record<string, (what: string, msg: string) => AppError> = {
  ENOENT: (w) => new AppError('not_found', `${w}: no such file or directory`),
  EACCES: (w) => new AppError('forbidden', `${w}: permission denied`),
  EPERM: (w) => new AppError('forbidden', `${w}: operation not permitted`),
  EROFS: (w) => new AppError('forbidden', `${w}: read-only file system`),
  EEXIST: (w) => new AppError('conflict', `${w}: already exists`),
  ENOTEMPTY: (w) => new AppError('conflict', `${w}: directory not empty (use recursive=1)`),
  ENOTDIR: (w) => new AppError('bad_request', `${w}: not a directory`),
  EISDIR: (w) => new AppError('bad_request', `${w}: is a directory`),
  EINVAL: (w, m) => new AppError('bad_request', `${w}: invalid argument${m ? ` (${m})` : ''}`),
  ELOOP: (w) => new AppError('bad_request', `${w}: too many levels of symbolic links`),
  ENAMETOOLONG: (w) => new AppError('bad_request', `${w}: file name too long`),
  EXDEV: (w) => new AppError('bad_request', `${w}: cannot move across file systems`),
  EFBIG: (w) => new AppError('payload_too_large', `${w}: file too large`),
  ENOSPC: () => new StorageFullError(),
  EDQUOT: () => new StorageFullError(),
};

/** Maps the agent's AgentFsError (or any errno-coded error) on `path` to an AppError. */
export function mapFsError(err: unknown, path: string): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && MAP[code]) return MAP[code](path, (err as Error).message ?? '');
  return err;
}
