/* warren-statx.so: preloaded (LD_PRELOAD) into the commands of gVisor sandboxes only.
 *
 * Debian's runsc (2022-12) answers statx() with EINVAL when its flags carry AT_NO_AUTOMOUNT,
 * which coreutils (`ls -l`, `stat`, `cp -a`) always pass: every long listing failed. Automount
 * points do not exist inside a sandbox, so the flag changes nothing there; this wrapper drops it
 * and makes the raw system call. runsc's --oci-seccomp cannot do the same (it ignores a rule's
 * errno, so statx cannot be turned into ENOSYS for glibc's own fallback).
 *
 * Built without any libc (-nostdlib) so it loads into glibc and musl programs of any version
 * alike: errno is set through __errno_location, which both export, bound weakly so a loader that
 * lacks it still runs the program. Static programs ignore LD_PRELOAD and keep the EINVAL. */

#define SYS_STATX 332
#define AT_NO_AUTOMOUNT_FLAG 0x800

extern int *__errno_location(void) __attribute__((weak));

struct statx;

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
  long ret;
  register long r10 __asm__("r10") = (long)mask;
  register long r8 __asm__("r8") = (long)buf;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"((long)SYS_STATX), "D"((long)dirfd), "S"(path), "d"((long)(flags & ~AT_NO_AUTOMOUNT_FLAG)), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  if (ret < 0 && ret > -4096) {
    if (__errno_location) *__errno_location() = (int)-ret;
    return -1;
  }
  return (int)ret;
}
