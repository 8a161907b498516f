/* warren-mount: host-side mount helpers of the runner (run as host root).
 *
 *   warren-mount idmap --uid-base B --count N [--rw] SRC DST [SRC DST ...]
 *       read-only, nosuid, nodev, id-mapped bind mounts: files owned by host uid u appear as B+u
 *       (how the host's /usr becomes usable as an overlay lower layer inside a user namespace);
 *       --rw leaves them writable (a sandbox's btrfs subvolume, stored with ids 0..N-1, as its
 *       overlay's upper layer)
 *   warren-mount shiftcopy --uid-base B --count N SRC DST
 *       copy an overlay upper dir owned by B..B+N-1 to DST with ids shifted back to 0..N-1
 *       (type, mode, times, xattrs incl. trusted.overlay.*, hard links, holes); prints the bytes
 *       the copy takes on disk (allocated blocks, so holes are free and empty dirs are not). The copy lands in the host's layer store owned by host ids, so what
 *       would grant privilege there is dropped: setuid/setgid bits, file capabilities
 *       (security.capability), and every device node but overlay's whiteouts (char 0/0)
 *   warren-mount sockexec DIR NAME PROGRAM [ARGS...]
 *       bind a fresh unix socket NAME inside DIR (relative to DIR, so the socket's own name shows no
 *       host path) and exec PROGRAM with it as fd 3: how a sandbox's agent gets a listening socket
 *       in a directory the sandbox can neither see nor modify (runc --preserve-fds 1 hands it in)
 *   warren-mount hostname-later NSFILE
 *       enter the UTS namespace NSFILE (a sandbox init's /proc/PID/ns/uts) now, print "ready", then
 *       wait for one line on stdin and make it the namespace's host name ("ok" once done); EOF
 *       first exits quietly. Started when a warm-pool member is ready, so the claim that renames
 *       it costs a pipe round trip instead of a process start (see runner/sandbox/warm-pool.ts)
 *
 * Disk quotas are not done here: this host's kernel has no quota format support (ext4 refuses to
 * mount with prjquota: "The kernel was not built with CONFIG_QUOTA and CONFIG_QFMT_V2"), so the
 * runner gives each sandbox its own sized loop image instead (runner/runtime/disk.ts). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("warren-mount: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void usage(void) {
  fputs("usage: warren-mount idmap --uid-base B --count N [--rw] SRC DST [SRC DST ...]\n"
        "       warren-mount shiftcopy --uid-base B --count N SRC DST\n"
        "       warren-mount sockexec DIR NAME PROGRAM [ARGS...]\n"
        "       warren-mount hostname-later NSFILE\n",
        stderr);
  exit(2);
}

static unsigned long long num(const char *s, unsigned long long max) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || end == s || s[0] == '-' || v > max) die("bad number: %s", s);
  return v;
}

/* Common options; positional arguments are collected into pos. */
struct opts {
  unsigned long long base, count;
  int has_base, has_count, rw;
  char **pos;
  int npos;
};

static void parse(int argc, char **argv, struct opts *o) {
  o->pos = calloc((size_t)argc + 1, sizeof *o->pos);
  if (!o->pos) die("out of memory");
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (!strcmp(a, "--uid-base") && more) o->base = num(argv[++i], 4294967294ULL), o->has_base = 1;
    else if (!strcmp(a, "--count") && more) o->count = num(argv[++i], 4294967295ULL), o->has_count = 1;
    else if (!strcmp(a, "--rw")) o->rw = 1;
    else if (a[0] == '-' && a[1] == '-') usage();
    else o->pos[o->npos++] = argv[i];
  }
}

/* ---- idmap ---- */

static void write_file(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open %s: %s", path, strerror(errno));
  ssize_t n = write(fd, data, strlen(data));
  if (n < 0 || (size_t)n != strlen(data)) die("write %s: %s", path, n < 0 ? strerror(errno) : "short write");
  if (close(fd) < 0) die("close %s: %s", path, strerror(errno));
}

/* A user namespace mapping 0..N-1 to B..B+N-1, held by an fd after its helper process is gone. */
static int make_userns(unsigned long long base, unsigned long long count, int with_root) {
  int ready[2], done[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    close(ready[0]);
    close(done[1]);
    char ok = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    char c;
    /* Stay alive until the parent holds the namespace (it closes `done`). */
    while (read(done[0], &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  char ok = 0;
  ssize_t r;
  while ((r = read(ready[0], &ok, 1)) < 0 && errno == EINTR) {
  }
  if (r != 1 || !ok) die("unshare(CLONE_NEWUSER) failed in the helper child");
  char path[64], map[96];
  /* A writable mapping also maps host root (on disk as id N): overlayfs makes its work dirs and
   * copy-up temp files with its mounter's (host root's) credentials, which would otherwise have
   * no id on the mount (EOVERFLOW, and the overlay falls back to read-only). */
  if (with_root) snprintf(map, sizeof map, "0 %llu %llu\n%llu 0 1\n", base, count, count);
  else snprintf(map, sizeof map, "0 %llu %llu\n", base, count);
  snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) die("open %s: %s", path, strerror(errno));
  close(done[1]);
  close(ready[0]);
  if (waitpid(pid, NULL, 0) < 0) die("waitpid: %s", strerror(errno));
  return nsfd;
}

static int cmd_idmap(struct opts *o) {
  if (!o->has_base || !o->has_count || o->count == 0 || o->npos == 0 || o->npos % 2) usage();
  int nsfd = make_userns(o->base, o->count, o->rw);
  for (int i = 0; i < o->npos; i += 2) {
    const char *src = o->pos[i], *dst = o->pos[i + 1];
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0) die("open_tree %s: %s", src, strerror(errno));
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_IDMAP | (o->rw ? 0 : MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
        .userns_fd = (uint64_t)nsfd,
    };
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
      die("mount_setattr(idmap) %s: %s", src, strerror(errno));
    if (syscall(SYS_move_mount, fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
      die("move_mount %s -> %s: %s", src, dst, strerror(errno));
    close(fd);
  }
  close(nsfd);
  return 0;
}

/* ---- shiftcopy ---- */

struct link_ent {
  dev_t dev;
  ino_t ino;
  char *rel; /* path of the first copy, relative to DST */
};

struct copy {
  unsigned long long base, count, bytes;
  int dst_root;
  struct link_ent *links;
  size_t nlinks, caplinks;
  char *buf; /* read/write fallback buffer */
};

static unsigned shift_id(const struct copy *c, unsigned long long id) {
  if (id >= c->base && id < c->base + c->count) return (unsigned)(id - c->base);
  return 65534; /* outside the sandbox's range: nobody */
}

/* Hard links: an open-addressing table keyed by (dev, ino), so a layer full of links stays linear. */
static size_t link_slot(const struct link_ent *tab, size_t cap, dev_t dev, ino_t ino) {
  uint64_t h = ((uint64_t)ino ^ ((uint64_t)dev << 32)) * 0x9E3779B97F4A7C15ULL;
  size_t i = (size_t)(h >> 20) & (cap - 1);
  while (tab[i].rel && !(tab[i].dev == dev && tab[i].ino == ino)) i = (i + 1) & (cap - 1);
  return i;
}

static const char *link_lookup(struct copy *c, const struct stat *st) {
  if (!c->caplinks) return NULL;
  return c->links[link_slot(c->links, c->caplinks, st->st_dev, st->st_ino)].rel;
}

static void link_remember(struct copy *c, const struct stat *st, const char *rel) {
  if (2 * (c->nlinks + 1) > c->caplinks) { /* keep the load under 1/2 */
    size_t cap = c->caplinks ? c->caplinks * 2 : 64;
    struct link_ent *tab = calloc(cap, sizeof *tab);
    if (!tab) die("out of memory");
    for (size_t i = 0; i < c->caplinks; i++)
      if (c->links[i].rel) tab[link_slot(tab, cap, c->links[i].dev, c->links[i].ino)] = c->links[i];
    free(c->links);
    c->links = tab;
    c->caplinks = cap;
  }
  char *r = strdup(rel);
  if (!r) die("out of memory");
  c->links[link_slot(c->links, c->caplinks, st->st_dev, st->st_ino)] = (struct link_ent){.dev = st->st_dev, .ino = st->st_ino, .rel = r};
  c->nlinks++;
}

static void fdpath(char *out, size_t n, int dirfd, const char *name) { snprintf(out, n, "/proc/self/fd/%d/%s", dirfd, name); }

static void copy_xattrs(int sfd, int dfd, const char *name, const char *rel) {
  char sp[4200], dp[4200];
  fdpath(sp, sizeof sp, sfd, name);
  fdpath(dp, sizeof dp, dfd, name);
  ssize_t n = llistxattr(sp, NULL, 0);
  if (n < 0) {
    if (errno == ENOTSUP) return;
    die("llistxattr %s: %s", rel, strerror(errno));
  }
  if (n == 0) return;
  char *list = malloc((size_t)n);
  if (!list) die("out of memory");
  n = llistxattr(sp, list, (size_t)n);
  if (n < 0) die("llistxattr %s: %s", rel, strerror(errno));
  for (char *k = list; k < list + n; k += strlen(k) + 1) {
    if (!strcmp(k, "security.capability")) continue; /* file capabilities never reach a layer */
    ssize_t vn = lgetxattr(sp, k, NULL, 0);
    if (vn < 0) die("lgetxattr %s %s: %s", rel, k, strerror(errno));
    char *v = malloc((size_t)vn + 1);
    if (!v) die("out of memory");
    vn = lgetxattr(sp, k, v, (size_t)vn);
    if (vn < 0) die("lgetxattr %s %s: %s", rel, k, strerror(errno));
    if (lsetxattr(dp, k, v, (size_t)vn, 0) < 0) die("lsetxattr %s %s: %s", rel, k, strerror(errno));
    free(v);
  }
  free(list);
}

/* chown first (it clears setuid/setgid and file capabilities), then xattrs, mode, times. */
static void copy_meta(struct copy *c, int sfd, int dfd, const char *name, const struct stat *st, const char *rel) {
  if (fchownat(dfd, name, shift_id(c, st->st_uid), shift_id(c, st->st_gid), AT_SYMLINK_NOFOLLOW) < 0)
    die("chown %s: %s", rel, strerror(errno));
  copy_xattrs(sfd, dfd, name, rel);
  /* No setuid/setgid on the host's copy (the sticky bit stays: /tmp needs it). */
  if (!S_ISLNK(st->st_mode) && fchmodat(dfd, name, st->st_mode & 01777, 0) < 0) die("chmod %s: %s", rel, strerror(errno));
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0) die("utimensat %s: %s", rel, strerror(errno));
}

static void copy_range(struct copy *c, int in, int out, off_t from, off_t to, const char *rel) {
  off_t off_in = from, off_out = from;
  while (off_in < to) {
    ssize_t n = copy_file_range(in, &off_in, out, &off_out, (size_t)(to - off_in), 0);
    if (n > 0) continue;
    if (n == 0) break; /* file shrank meanwhile */
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) die("copy %s: %s", rel, strerror(errno));
    /* Fallback: plain read/write. */
    while (off_in < to) {
      size_t want = (size_t)(to - off_in) < (1u << 20) ? (size_t)(to - off_in) : (1u << 20);
      ssize_t r = pread(in, c->buf, want, off_in);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) die("read %s: %s", rel, strerror(errno));
      if (r == 0) return;
      for (ssize_t w = 0; w < r;) {
        ssize_t k = pwrite(out, c->buf + w, (size_t)(r - w), off_out + w);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) die("write %s: %s", rel, strerror(errno));
        w += k;
      }
      off_in += r;
      off_out += r;
    }
  }
}

static void copy_data(struct copy *c, int sfd, int dfd, const char *name, const struct stat *st, const char *rel) {
  /* O_NONBLOCK and a check after opening: a file swapped for a FIFO must not hang the copy. */
  int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (in < 0) die("open %s: %s", rel, strerror(errno));
  struct stat now;
  if (fstat(in, &now) < 0 || !S_ISREG(now.st_mode)) die("%s is no longer a regular file", rel);
  int fl = fcntl(in, F_GETFL);
  if (fl >= 0) fcntl(in, F_SETFL, fl & ~O_NONBLOCK);
  int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) die("create %s: %s", rel, strerror(errno));
  /* Copy only the data extents: holes stay holes (sparse files stay sparse). */
  off_t pos = 0;
  while (pos < st->st_size) {
    off_t data = lseek(in, pos, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break; /* only a hole remains */
      data = pos;                /* no SEEK_DATA support: copy everything */
      copy_range(c, in, out, data, st->st_size, rel);
      break;
    }
    off_t hole = lseek(in, data, SEEK_HOLE);
    if (hole < 0) hole = st->st_size;
    copy_range(c, in, out, data, hole, rel);
    pos = hole;
  }
  if (ftruncate(out, st->st_size) < 0) die("truncate %s: %s", rel, strerror(errno));
  close(in);
  if (close(out) < 0) die("close %s: %s", rel, strerror(errno));
}

static void copy_tree(struct copy *c, int sfd, int dfd, const char *relbase) {
  int lfd = dup(sfd);
  if (lfd < 0) die("dup: %s", strerror(errno));
  DIR *d = fdopendir(lfd);
  if (!d) die("opendir %s: %s", relbase, strerror(errno));
  struct dirent *de;
  for (;;) {
    errno = 0;
    if (!(de = readdir(d))) break;
    const char *name = de->d_name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
    char rel[4200];
    if ((size_t)snprintf(rel, sizeof rel, "%s%s%s", relbase, relbase[0] ? "/" : "", name) >= sizeof rel)
      die("path too long: %s/%s", relbase, name);
    struct stat st;
    if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) die("stat %s: %s", rel, strerror(errno));
    if (S_ISSOCK(st.st_mode)) continue; /* sockets are meaningless in a snapshot */
    /* Only overlay whiteouts (char 0/0) among device nodes: a sandbox cannot make others, and a
     * layer must never carry one onto the host. */
    if ((S_ISCHR(st.st_mode) && st.st_rdev != 0) || S_ISBLK(st.st_mode)) continue;

    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      const char *first = link_lookup(c, &st);
      if (first) {
        if (linkat(c->dst_root, first, dfd, name, 0) < 0) die("link %s -> %s: %s", rel, first, strerror(errno));
        continue;
      }
      link_remember(c, &st, rel);
    }
    /* What the layer really takes on disk (holes cost nothing; directories and inodes do), each
     * inode once. */
    c->bytes += (unsigned long long)st.st_blocks * 512 + (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? 0 : 256);

    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(dfd, name, 0700) < 0) die("mkdir %s: %s", rel, strerror(errno));
      int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s2 < 0 || d2 < 0) die("open dir %s: %s", rel, strerror(errno));
      copy_tree(c, s2, d2, rel);
      close(s2);
      close(d2);
    } else if (S_ISREG(st.st_mode)) {
      copy_data(c, sfd, dfd, name, &st, rel);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4097];
      ssize_t n = readlinkat(sfd, name, target, sizeof target - 1);
      if (n < 0) die("readlink %s: %s", rel, strerror(errno));
      target[n] = 0;
      if (symlinkat(target, dfd, name) < 0) die("symlink %s: %s", rel, strerror(errno));
    } else { /* char/block devices (overlay whiteouts are char 0/0) and fifos */
      if (mknodat(dfd, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0) die("mknod %s: %s", rel, strerror(errno));
    }
    /* Directories get their times after their content is written. */
    copy_meta(c, sfd, dfd, name, &st, rel);
  }
  if (errno) die("readdir %s: %s", relbase[0] ? relbase : ".", strerror(errno));
  closedir(d);
}

static int cmd_shiftcopy(struct opts *o) {
  if (!o->has_base || !o->has_count || o->count == 0 || o->npos != 2) usage();
  const char *src = o->pos[0], *dst = o->pos[1];
  /* One fd per directory level is held open: allow deep trees. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  struct copy c = {.base = o->base, .count = o->count};
  c.buf = malloc(1u << 20);
  if (!c.buf) die("out of memory");
  int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sfd < 0) die("open %s: %s", src, strerror(errno));
  if (mkdir(dst, 0700) < 0) die("mkdir %s: %s", dst, strerror(errno));
  c.dst_root = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (c.dst_root < 0) die("open %s: %s", dst, strerror(errno));
  copy_tree(&c, sfd, c.dst_root, "");
  /* The root itself, through its fds (same order: owner, xattrs, mode, times). */
  struct stat st;
  if (fstat(sfd, &st) < 0) die("stat %s: %s", src, strerror(errno));
  if (fchown(c.dst_root, shift_id(&c, st.st_uid), shift_id(&c, st.st_gid)) < 0) die("chown %s: %s", dst, strerror(errno));
  ssize_t n = flistxattr(sfd, NULL, 0);
  if (n > 0) {
    char *list = malloc((size_t)n);
    if (!list || (n = flistxattr(sfd, list, (size_t)n)) < 0) die("listxattr %s: %s", src, strerror(errno));
    for (char *k = list; k < list + n; k += strlen(k) + 1) {
      if (!strcmp(k, "security.capability")) continue;
      ssize_t vn = fgetxattr(sfd, k, NULL, 0);
      char *v = vn >= 0 ? malloc((size_t)vn + 1) : NULL;
      if (!v || (vn = fgetxattr(sfd, k, v, (size_t)vn)) < 0) die("getxattr %s %s: %s", src, k, strerror(errno));
      if (fsetxattr(c.dst_root, k, v, (size_t)vn, 0) < 0) die("setxattr %s %s: %s", dst, k, strerror(errno));
      free(v);
    }
    free(list);
  }
  if (fchmod(c.dst_root, st.st_mode & 01777) < 0) die("chmod %s: %s", dst, strerror(errno));
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (futimens(c.dst_root, ts) < 0) die("utimens %s: %s", dst, strerror(errno));
  close(sfd);
  close(c.dst_root);
  printf("%llu\n", c.bytes);
  return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- sockexec ---- */

/* DIR is opened without following a final symlink and must be a root-owned directory nobody
 * else may write: the socket is bound relative to it, and a stale socket (an earlier boot's) is
 * replaced. The socket is bound, not listened on: the agent calls listen(), so connections fail
 * fast until it is really there. */
static int cmd_sockexec(int argc, char **argv) {
  if (argc < 5) usage();
  const char *dir = argv[2], *name = argv[3];
  if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || strlen(name) >= sizeof(((struct sockaddr_un *)0)->sun_path))
    die("bad socket name: %s", name);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) die("open %s: %s", dir, strerror(errno));
  struct stat st;
  if (fstat(dfd, &st) < 0) die("stat %s: %s", dir, strerror(errno));
  if (st.st_uid != 0 || (st.st_mode & 022)) die("%s must be owned by root and writable only by it", dir);
  if (fchdir(dfd) < 0) die("chdir %s: %s", dir, strerror(errno));
  struct stat old;
  if (fstatat(dfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISSOCK(old.st_mode)) die("%s/%s exists and is not a socket", dir, name);
    if (unlinkat(dfd, name, 0) < 0) die("unlink %s/%s: %s", dir, name, strerror(errno));
  }
  close(dfd); /* the cwd keeps DIR; fd 3 must be free for the socket */
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, name);
  mode_t um = umask(077);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind %s/%s: %s", dir, name, strerror(errno));
  umask(um);
  if (fd != 3) {
    if (dup2(fd, 3) < 0) die("dup2: %s", strerror(errno));
    close(fd);
  }
  if (chdir("/") < 0) die("chdir /: %s", strerror(errno));
  execvp(argv[4], argv + 4);
  die("exec %s: %s", argv[4], strerror(errno));
  return 1;
}

/* ---- hostname-later ---- */

/* A host name the way the runner makes them (sb-<id>): letters, digits and '-', at most 63. */
static int valid_hostname(const char *s, size_t n) {
  if (n == 0 || n > 63) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
  }
  return 1;
}

static int cmd_hostname_later(int argc, char **argv) {
  if (argc != 3) usage();
  int ns = open(argv[2], O_RDONLY | O_CLOEXEC);
  if (ns < 0) die("open %s: %s", argv[2], strerror(errno));
  if (setns(ns, CLONE_NEWUTS) < 0) die("setns %s: %s", argv[2], strerror(errno));
  close(ns);
  if (fputs("ready\n", stdout) == EOF || fflush(stdout) == EOF) die("stdout: %s", strerror(errno));
  char line[128];
  if (!fgets(line, sizeof line, stdin)) return 0; /* nobody claimed it: the member went away */
  size_t n = strcspn(line, "\n");
  if (line[n] != '\n' || !valid_hostname(line, n)) die("bad host name");
  if (sethostname(line, n) < 0) die("sethostname: %s", strerror(errno));
  if (fputs("ok\n", stdout) == EOF || fflush(stdout) == EOF) die("stdout: %s", strerror(errno));
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  if (!strcmp(argv[1], "sockexec")) return cmd_sockexec(argc, argv);
  if (!strcmp(argv[1], "hostname-later")) return cmd_hostname_later(argc, argv);
  struct opts o = {0};
  parse(argc, argv, &o);
  if (!strcmp(argv[1], "idmap")) return cmd_idmap(&o);
  if (!strcmp(argv[1], "shiftcopy")) return cmd_shiftcopy(&o);
  usage();
  return 2;
}
