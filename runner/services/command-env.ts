import path from 'node:path';
import { AppError } from '@/lib/errors';
import { type SandboxInfo, type SandboxUser, USERS } from '@/runner/sandbox/types';

export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Environment of a command: a sane base, then the sandbox's own env (set at create), then its
 * secrets (held in the runner's memory-backed store, never in its records), then the request's.
 * Later layers win so a caller can always override PATH or HOME for one command.
 */
export function commandEnv(
  info: SandboxInfo,
  user: SandboxUser,
  extra?: Record<string, string>,
  secrets?: Record<string, string>,
): Record<string, string> {
  const u = USERS[user];
  const base = {
    PATH: BASE_PATH,
    HOME: u.home,
    USER: user,
    LOGNAME: user,
    LANG: 'C.UTF-8',
    ...(info.image ? {} : HOST_USR_ENV),
    ...(info.isolation === 'gvisor' ? GVISOR_ENV : {}),
  };
  return { ...base, ...info.env, ...secrets, ...extra };
}

/**
 * gVisor sandboxes' programs preload a libc-free statx wrapper: this runsc refuses statx's
 * AT_NO_AUTOMOUNT (EINVAL), which `ls -l` and `stat` always pass (runner/native/statx-shim.c).
 * It sits in the agent's read-only /opt/warren; a command that drops LD_PRELOAD only loses `ls -l`.
 */
export const GVISOR_STATX_SHIM = 'warren-statx.so';
const GVISOR_ENV = { LD_PRELOAD: `/opt/warren/${GVISOR_STATX_SHIM}` };

/**
 * What the host template's programs need from the host's /etc, which the sandbox does not have:
 * Debian's matplotlib looks for /etc/matplotlibrc, and finds the same file in /usr by this.
 */
const HOST_USR_ENV = { MATPLOTLIBRC: '/usr/share/matplotlib/mpl-data' };

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
