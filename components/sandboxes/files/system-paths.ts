/**
 * Paths the file browser offers no delete for. Root inside the sandbox may still remove them
 * from a shell (it is their machine); the console just does not put a one-click way to break the
 * sandbox next to the user's files. Kernel views (/proc, /sys, /dev) are protected at every depth,
 * the operating system's top-level folders (/usr, /etc, ...) themselves.
 */
const KERNEL_VIEWS = ['/proc', '/sys', '/dev'];
const OS_FOLDERS = new Set(['/', '/bin', '/boot', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/run', '/sbin', '/usr', '/var', '/home', '/root', '/tmp']);

export function isSystemPath(path: string): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  if (OS_FOLDERS.has(p)) return true;
  if (p.startsWith('/usr/') && p.split('/').length === 3) return true; // /usr/bin, /usr/lib, ...
  return KERNEL_VIEWS.some((k) => p === k || p.startsWith(`${k}/`));
}
