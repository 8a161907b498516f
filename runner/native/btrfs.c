/* warren-btrfs: the runner's btrfs pool operations as single ioctls (run as host root), so a
 * snapshot costs one short process instead of several btrfs-progs runs.
 *
 *   warren-btrfs create [--limit-mb N] DST
 *       a new subvolume DST, its quota group limited to N MiB referenced
 *   warren-btrfs snapshot [--ro] [--freeze CGROUP_DIR] [--limit-mb N] SRC DST
 *       a snapshot of subvolume SRC as DST (read-only with --ro). With --freeze the cgroup's
 *       tasks are frozen (cgroup v2 cgroup.freeze, or the v1 freezer) for just the ioctl and
 *       thawed after it, whatever happens; btrfs flushes SRC's dirty data inside the ioctl.
 *
 * Both print the new subvolume's id (its quota group is 0/<id>). A subvolume appears whole or
 * not at all: the ioctl is one btrfs transaction. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/btrfs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static const char *thaw_dir; /* set while frozen: die() thaws first */

static void thaw(void);

static void die(const char *fmt, ...) {
  thaw();
  va_list ap;
  va_start(ap, fmt);
  fputs("warren-btrfs: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void usage(void) {
  fputs("usage: warren-btrfs create [--limit-mb N] DST\n"
        "       warren-btrfs snapshot [--ro] [--freeze CGROUP_DIR] [--limit-mb N] SRC DST\n",
        stderr);
  exit(2);
}

static int write_at(const char *dir, const char *name, const char *value) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, value, strlen(value));
  close(fd);
  return n == (ssize_t)strlen(value) ? 0 : -1;
}

static int read_at(const char *dir, const char *name, char *buf, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t r = read(fd, buf, n - 1);
  close(fd);
  if (r < 0) return -1;
  buf[r] = 0;
  return 0;
}

static int is_v2(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cgroup.freeze", dir);
  return access(path, F_OK) == 0;
}

static void thaw(void) {
  if (!thaw_dir) return;
  const char *dir = thaw_dir;
  thaw_dir = NULL;
  if (is_v2(dir)) write_at(dir, "cgroup.freeze", "0");
  else write_at(dir, "freezer.state", "THAWED");
}

/* Freezes and waits until every task is frozen (5 s at most). */
static void freeze(const char *dir) {
  int v2 = is_v2(dir);
  thaw_dir = dir;
  if ((v2 ? write_at(dir, "cgroup.freeze", "1") : write_at(dir, "freezer.state", "FROZEN")) < 0) die("freeze %s: %s", dir, strerror(errno));
  struct timespec nap = {0, 200 * 1000};
  for (int i = 0; i < 25000; i++) {
    char buf[512];
    if (read_at(dir, v2 ? "cgroup.events" : "freezer.state", buf, sizeof buf) < 0) die("read %s: %s", dir, strerror(errno));
    if (v2 ? strstr(buf, "frozen 1") != NULL : strncmp(buf, "FROZEN", 6) == 0) return;
    nanosleep(&nap, NULL);
  }
  die("%s did not freeze within 5 s", dir);
}

static unsigned long long num(const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || end == s || s[0] == '-' || v > (1ULL << 40)) die("bad number: %s", s);
  return v;
}

/* The parent dir of DST (opened) and DST's last component, checked to be a plain name. */
static int open_parent(const char *dst, char *name, size_t n) {
  char a[4096], b[4096];
  snprintf(a, sizeof a, "%s", dst);
  snprintf(b, sizeof b, "%s", dst);
  const char *base = basename(a);
  if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || strlen(base) >= n) die("bad name: %s", dst);
  snprintf(name, n, "%s", base);
  int fd = open(dirname(b), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) die("open parent of %s: %s", dst, strerror(errno));
  return fd;
}

static void limit_and_print(const char *dst, unsigned long long limit_mb) {
  int fd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) die("open %s: %s", dst, strerror(errno));
  if (limit_mb) {
    struct btrfs_ioctl_qgroup_limit_args q = {0}; /* qgroupid 0: the subvolume of fd */
    q.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
    q.lim.max_rfer = limit_mb * 1024 * 1024;
    if (ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &q) < 0) die("qgroup limit %s: %s", dst, strerror(errno));
  }
  struct btrfs_ioctl_ino_lookup_args l = {0};
  l.objectid = 256; /* BTRFS_FIRST_FREE_OBJECTID: the subvolume's root dir */
  if (ioctl(fd, BTRFS_IOC_INO_LOOKUP, &l) < 0) die("ino lookup %s: %s", dst, strerror(errno));
  close(fd);
  printf("%llu\n", (unsigned long long)l.treeid);
}

int main(int argc, char **argv) {
  if (argc < 3) usage();
  int ro = 0;
  const char *freezer = NULL;
  unsigned long long limit_mb = 0;
  char *pos[2];
  int npos = 0;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--ro")) ro = 1;
    else if (!strcmp(argv[i], "--freeze") && i + 1 < argc) freezer = argv[++i];
    else if (!strcmp(argv[i], "--limit-mb") && i + 1 < argc) limit_mb = num(argv[++i]);
    else if (argv[i][0] == '-' || npos == 2) usage();
    else pos[npos++] = argv[i];
  }
  struct btrfs_ioctl_vol_args_v2 args;
  memset(&args, 0, sizeof args);
  if (!strcmp(argv[1], "create") && npos == 1 && !ro && !freezer) {
    int parent = open_parent(pos[0], args.name, sizeof args.name);
    if (ioctl(parent, BTRFS_IOC_SUBVOL_CREATE_V2, &args) < 0) die("create %s: %s", pos[0], strerror(errno));
    close(parent);
    limit_and_print(pos[0], limit_mb);
    return 0;
  }
  if (!strcmp(argv[1], "snapshot") && npos == 2) {
    int src = open(pos[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (src < 0) die("open %s: %s", pos[0], strerror(errno));
    int parent = open_parent(pos[1], args.name, sizeof args.name);
    args.fd = src;
    args.flags = ro ? BTRFS_SUBVOL_RDONLY : 0;
    if (freezer) freeze(freezer);
    int rc = ioctl(parent, BTRFS_IOC_SNAP_CREATE_V2, &args);
    int err = errno;
    thaw();
    if (rc < 0) die("snapshot %s -> %s: %s", pos[0], pos[1], strerror(err));
    close(parent);
    close(src);
    limit_and_print(pos[1], limit_mb);
    return 0;
  }
  usage();
  return 2;
}
