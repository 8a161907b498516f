import path from 'node:path';
import { AppError } from '@/lib/errors';
import { type SandboxInfo, type SandboxUser, USERS } from '@/runner/sandbox/types';

export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Environment of a command: a sane base, then the sandbox's own env (set at create), then the
 * request's. Later layers win so a caller can always override PATH or HOME for one command.
 */
export function commandEnv(
  info: SandboxInfo,
  user: SandboxUser,
  extra?: Record<string, string>,
): Record<string, string> {
  const u = USERS[user];
  return { PATH: BASE_PATH, HOME: u.home, USER: user, LOGNAME: user, LANG: 'C.UTF-8', ...info.env, ...extra };
}

/** uid/gid/home for the agent, from the user's name. */
export function identity(user: SandboxUser) {
  const u = USERS[user];
  return { uid: u.uid, gid: u.gid, home: u.home };
}

/**
 * Sandbox paths are resolved here only to be normalised; the agent does the real resolution
 * inside the sandbox's view (so `..` and symlinks can never reach a host path). Relative paths
 * are taken against the default user's home, which is what a person typing `foo.txt` means.
 */
export function sandboxPath(p: string, base = USERS.user.home): string {
  if (p.includes('\0')) throw new AppError('bad_request', 'Path must not contain NUL bytes');
  if (!p) throw new AppError('bad_request', 'Path is required');
  return path.posix.resolve(base, p);
}
