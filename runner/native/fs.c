/* File requests (FS_*). The handler has already switched to the request's uid/gid, so the
 * kernel's own permission checks apply; paths resolve in the sandbox's view because this process
 * runs in the sandbox's mount namespace (serve) or chrooted into its rootfs (once). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "proto.h"

#define DATA_CHUNK 65536u
#define FLUSH_AT 65536u

struct fs_req {
  char *path, *path2;
  long long uid, gid, mode;
  int parents, recursive, exclusive;
};

static int parse_fs(const unsigned char *p, uint32_t len, struct fs_req *r) {
  struct tlv t;
  uint32_t pos = 0;
  int rc;
  r->uid = r->gid = r->mode = -1;
  while ((rc = tlv_next(p, len, &pos, &t)) == 1) {
    switch (t.tag) {
      case 1:
        free(r->path);
        if (!(r->path = tlv_strdup(&t))) return EINVAL;
        break;
      case 2:
        free(r->path2);
        if (!(r->path2 = tlv_strdup(&t))) return EINVAL;
        break;
      case 4: if ((r->uid = tlv_num(&t, 4294967294LL)) < 0) return EINVAL; break;
      case 5: if ((r->gid = tlv_num(&t, 4294967294LL)) < 0) return EINVAL; break;
      case 6: {
        long long m = 0;
        if (t.len == 0 || t.len > 6) return EINVAL;
        for (uint32_t i = 0; i < t.len; i++) {
          if (t.val[i] < '0' || t.val[i] > '7') return EINVAL;
          m = m * 8 + (t.val[i] - '0');
        }
        if (m > 07777) return EINVAL;
        r->mode = m;
        break;
      }
      case 7:
        for (uint32_t i = 0; i < t.len; i++) {
          if (t.val[i] == 'p') r->parents = 1;
          else if (t.val[i] == 'r') r->recursive = 1;
          else if (t.val[i] == 'x') r->exclusive = 1;
        }
        break;
      default: break;
    }
  }
  if (rc < 0 || !r->path || !r->path[0]) return EINVAL;
  return 0;
}

/* ---- entries ---- */

static char type_char(mode_t m) {
  if (S_ISREG(m)) return 'f';
  if (S_ISDIR(m)) return 'd';
  if (S_ISLNK(m)) return 'l';
  if (S_ISCHR(m)) return 'c';
  if (S_ISBLK(m)) return 'b';
  if (S_ISFIFO(m)) return 'p';
  return 's';
}

/* Appends one ENTRY frame to out; dirfd/name locate the symlink for readlinkat. */
static int add_entry(struct buf *out, const char *name, const struct stat *st, int dirfd, const char *lname) {
  struct buf t = {0};
  char tc = type_char(st->st_mode), mode[16];
  snprintf(mode, sizeof mode, "%o", (unsigned)(st->st_mode & 07777));
  long long ms = (long long)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
  int rc = tlv_add_str(&t, 1, name) | tlv_add(&t, 2, &tc, 1) | tlv_add_u64(&t, 3, (unsigned long long)st->st_size) |
           tlv_add_str(&t, 4, mode) | tlv_add_u64(&t, 5, ms < 0 ? 0 : (unsigned long long)ms) |
           tlv_add_u64(&t, 7, view_id(st->st_uid)) | tlv_add_u64(&t, 8, view_id(st->st_gid));
  if (S_ISLNK(st->st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(dirfd, lname, target, sizeof target);
    if (n >= 0) rc |= tlv_add(&t, 6, target, (uint32_t)n);
  }
  if (rc == 0 && t.len <= MAX_PAYLOAD) rc = buf_frame(out, FR_ENTRY, t.p, (uint32_t)t.len);
  buf_free(&t);
  return rc ? -1 : 0;
}

static int flush(int wfd, struct buf *out) {
  int rc = write_full(wfd, out->p + out->off, out->len);
  buf_consume(out, out->len);
  return rc;
}

/* "/a/b/" → "b"; "/" → "/". Modifies s. */
static const char *base_name(char *s) {
  size_t n = strlen(s);
  while (n > 1 && s[n - 1] == '/') s[--n] = 0;
  if (strcmp(s, "/") == 0) return s;
  char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

static int do_stat(int wfd, struct fs_req *r) {
  struct stat st;
  if (lstat(r->path, &st) < 0) return send_err(wfd, errno, r->path);
  char *copy = strdup(r->path);
  if (!copy) return send_err(wfd, ENOMEM, r->path);
  struct buf out = {0};
  int rc = add_entry(&out, base_name(copy), &st, AT_FDCWD, r->path);
  free(copy);
  if (rc < 0) return send_err(wfd, ENOMEM, r->path);
  if (flush(wfd, &out) < 0) return -1;
  buf_free(&out);
  return send_frame(wfd, FR_OK, NULL, 0);
}

static int do_list(int wfd, struct fs_req *r) {
  int fd = open(r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return send_err(wfd, errno, r->path);
  DIR *d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    return send_err(wfd, e, r->path);
  }
  struct buf out = {0};
  struct dirent *de;
  for (;;) {
    errno = 0;
    if (!(de = readdir(d))) break;
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue; /* vanished meanwhile */
    if (add_entry(&out, de->d_name, &st, fd, de->d_name) < 0) {
      closedir(d);
      return send_err(wfd, ENOMEM, r->path);
    }
    if (out.len >= FLUSH_AT && flush(wfd, &out) < 0) {
      closedir(d);
      return -1;
    }
  }
  int e = errno;
  closedir(d);
  if (flush(wfd, &out) < 0) return -1;
  buf_free(&out);
  if (e) return send_err(wfd, e, r->path);
  return send_frame(wfd, FR_OK, NULL, 0);
}

static int do_read(int wfd, struct fs_req *r) {
  /* Check the type before opening: opening a device node can have side effects. */
  struct stat st;
  if (stat(r->path, &st) < 0) return send_err(wfd, errno, r->path);
  if (!S_ISREG(st.st_mode)) return send_err(wfd, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, r->path);
  /* O_NONBLOCK: should the path be swapped for a FIFO meanwhile, the open cannot hang. */
  int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return send_err(wfd, errno, r->path);
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return send_err(wfd, e, r->path);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return send_err(wfd, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, r->path);
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  unsigned char *buf = malloc(DATA_CHUNK);
  if (!buf) {
    close(fd);
    return send_err(wfd, ENOMEM, r->path);
  }
  int rc = 0;
  for (;;) {
    ssize_t n = read(fd, buf, DATA_CHUNK);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      rc = send_err(wfd, errno, r->path);
      break;
    }
    if (n == 0) {
      rc = send_frame(wfd, FR_OK, NULL, 0);
      break;
    }
    if (send_frame(wfd, FR_DATA, buf, (uint32_t)n) < 0) {
      rc = -1;
      break;
    }
  }
  free(buf);
  close(fd);
  return rc;
}

/* mkdir -p; the last component gets `mode`, intermediate ones 0755. */
static int mkdir_p(const char *path, mode_t mode) {
  char *p = strdup(path);
  if (!p) return -1;
  size_t n = strlen(p);
  while (n > 1 && p[n - 1] == '/') p[--n] = 0;
  for (char *s = p + 1;; s++) {
    int last = *s == 0;
    if (*s == '/' || last) {
      char c = *s;
      *s = 0;
      if (mkdir(p, last ? mode : 0755) < 0) {
        struct stat st;
        if (errno != EEXIST || stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
          if (errno == EEXIST || (errno == 0)) errno = ENOTDIR;
          free(p);
          return -1;
        }
      }
      *s = c;
      if (last) break;
      while (s[1] == '/') s++;
    }
  }
  free(p);
  return 0;
}

static int parent_dirs(const char *path) {
  char *copy = strdup(path);
  if (!copy) return -1;
  char *slash = strrchr(copy, '/');
  int rc = 0;
  if (slash && slash != copy) {
    *slash = 0;
    rc = mkdir_p(copy, 0755);
  }
  free(copy);
  return rc;
}

/* After an early error the client may still be streaming: read until DATA_END so it sees our ERR. */
static void drain_upload(int rfd) {
  uint8_t type;
  unsigned char *payload;
  uint32_t len;
  while (read_frame(rfd, &type, &payload, &len) == 0) {
    free(payload);
    if (type == FR_DATA_END) return;
  }
}

static int write_err(int rfd, int wfd, int err, const char *path) {
  int rc = send_err(wfd, err, path);
  drain_upload(rfd);
  return rc;
}

static int do_write(int rfd, int wfd, struct fs_req *r) {
  if (r->parents && parent_dirs(r->path) < 0) return write_err(rfd, wfd, errno, r->path);
  char *copy = strdup(r->path);
  if (!copy) return write_err(rfd, wfd, ENOMEM, r->path);
  const char *base = base_name(copy);
  if (!strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, "..")) {
    free(copy);
    return write_err(rfd, wfd, EISDIR, r->path);
  }
  struct stat st;
  int exists = lstat(r->path, &st) == 0;
  if (exists && r->exclusive) {
    free(copy);
    return write_err(rfd, wfd, EEXIST, r->path);
  }
  if (exists && S_ISDIR(st.st_mode)) {
    free(copy);
    return write_err(rfd, wfd, EISDIR, r->path);
  }
  /* An overwrite keeps the file's permissions unless the request names a mode. */
  mode_t mode = r->mode >= 0 ? (mode_t)r->mode : exists && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0644;

  /* The temp file sits next to the target so the final rename is atomic (same filesystem). */
  size_t dirlen = (size_t)(base - copy);
  char tmp[PATH_MAX];
  static unsigned counter;
  int n = snprintf(tmp, sizeof tmp, "%.*s.%.200s.warren-%d-%u", (int)dirlen, r->path, base, (int)getpid(), counter++);
  free(copy);
  if (n < 0 || (size_t)n >= sizeof tmp) return write_err(rfd, wfd, ENAMETOOLONG, r->path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return write_err(rfd, wfd, errno, r->path);

  for (;;) {
    uint8_t type;
    unsigned char *payload;
    uint32_t len;
    if (read_frame(rfd, &type, &payload, &len) < 0 || (type != FR_DATA && type != FR_DATA_END)) {
      /* Client gone or aborted (e.g. over its size cap): nothing is written. */
      if (payload) free(payload);
      close(fd);
      unlink(tmp);
      return -1;
    }
    if (type == FR_DATA_END) {
      free(payload);
      break;
    }
    int wr = write_full(fd, payload, len);
    int e = errno;
    free(payload);
    if (wr < 0) { /* ENOSPC / EDQUOT land here */
      close(fd);
      unlink(tmp);
      return write_err(rfd, wfd, e, r->path);
    }
  }
  if (fchmod(fd, mode) < 0 || close(fd) < 0) {
    int e = errno;
    unlink(tmp);
    return send_err(wfd, e, r->path);
  }
  int rc;
  if (r->exclusive) {
    rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, r->path, RENAME_NOREPLACE);
    if (rc < 0 && (errno == EINVAL || errno == ENOSYS)) { /* filesystems without NOREPLACE */
      rc = link(tmp, r->path);
    }
  } else {
    rc = rename(tmp, r->path);
  }
  if (rc < 0) {
    int e = errno;
    unlink(tmp);
    return send_err(wfd, e, r->path);
  }
  unlink(tmp); /* only does something after the link() fallback */
  return send_frame(wfd, FR_OK, NULL, 0);
}

static int do_mkdir(int wfd, struct fs_req *r) {
  mode_t mode = r->mode >= 0 ? (mode_t)r->mode : 0755;
  int rc = r->parents ? mkdir_p(r->path, mode) : mkdir(r->path, mode);
  if (rc < 0) return send_err(wfd, errno, r->path);
  return send_frame(wfd, FR_OK, NULL, 0);
}

static int rm_errno;
static char rm_path[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  int rc;
  if (flag == FTW_DNR || flag == FTW_NS) {
    rc = -1;
    if (!errno) errno = EACCES;
  } else {
    rc = flag == FTW_DP ? rmdir(path) : unlink(path);
  }
  if (rc < 0) {
    rm_errno = errno;
    snprintf(rm_path, sizeof rm_path, "%s", path);
    return 1; /* stop the walk */
  }
  return 0;
}

static int do_remove(int wfd, struct fs_req *r) {
  struct stat st;
  if (lstat(r->path, &st) < 0) return send_err(wfd, errno, r->path);
  int rc;
  if (!S_ISDIR(st.st_mode)) {
    rc = unlink(r->path);
  } else if (!r->recursive) {
    rc = rmdir(r->path);
  } else {
    char *copy = strdup(r->path);
    int is_root = copy && strcmp(base_name(copy), "/") == 0;
    free(copy);
    if (is_root) return send_err(wfd, EBUSY, r->path);
    /* FTW_PHYS: symlinks are removed, never followed. No FTW_MOUNT: on overlayfs a file's st_dev
     * is its lower layer's, so FTW_MOUNT would skip every file copied from a layer. */
    if (nftw(r->path, rm_one, 32, FTW_PHYS | FTW_DEPTH) != 0) {
      if (rm_errno) return send_err(wfd, rm_errno, rm_path);
      return send_err(wfd, errno ? errno : EIO, r->path);
    }
    rc = 0;
  }
  if (rc < 0) return send_err(wfd, errno, r->path);
  return send_frame(wfd, FR_OK, NULL, 0);
}

static int do_rename(int wfd, struct fs_req *r) {
  if (!r->path2 || !r->path2[0]) return send_err(wfd, EINVAL, "rename needs a target");
  if (r->parents && parent_dirs(r->path2) < 0) return send_err(wfd, errno, r->path2);
  int rc = r->exclusive ? renameat2(AT_FDCWD, r->path, AT_FDCWD, r->path2, RENAME_NOREPLACE) : rename(r->path, r->path2);
  if (rc < 0) {
    int e = errno;
    char what[2 * PATH_MAX + 8];
    snprintf(what, sizeof what, "%s -> %s", r->path, r->path2);
    return send_err(wfd, e, what);
  }
  return send_frame(wfd, FR_OK, NULL, 0);
}

int fs_handle(int rfd, int wfd, uint8_t type, unsigned char *payload, uint32_t len) {
  struct fs_req r = {0};
  int err = parse_fs(payload, len, &r);
  free(payload);
  if (err) return send_err(wfd, err, "bad file request"), 1;
  if (apply_creds(r.uid, r.gid) < 0) return send_err(wfd, errno, "switching uid/gid"), 1;
  umask(0); /* modes are applied exactly as requested */
  int rc;
  switch (type) {
    case FR_FS_LIST: rc = do_list(wfd, &r); break;
    case FR_FS_STAT: rc = do_stat(wfd, &r); break;
    case FR_FS_READ: rc = do_read(wfd, &r); break;
    case FR_FS_WRITE: rc = do_write(rfd, wfd, &r); break;
    case FR_FS_MKDIR: rc = do_mkdir(wfd, &r); break;
    case FR_FS_REMOVE: rc = do_remove(wfd, &r); break;
    case FR_FS_RENAME: rc = do_rename(wfd, &r); break;
    default: rc = send_err(wfd, EINVAL, "unknown file request"); break;
  }
  return rc < 0 ? 1 : 0;
}
