/* FS_WATCH: directory events from inotify, streamed until the client hangs up (E2B's WatchDir).
 *
 * Request TLVs: 1 path, 4 uid, 5 gid, 7 flags ('r' = the whole tree). The handler switches to the
 * request's uid/gid first, so only what that user may read is watched. Answer: OK once every watch
 * is in place (events from then on are not missed), then one WATCH_EVENT frame per change:
 * [u8 kind][name relative to the watched directory], kinds as E2B's EventType (1 create, 2 write,
 * 3 remove, 4 rename, 5 chmod) with fsnotify's mapping (a move in is a create, a move out a
 * rename). At most MAX_WATCHES directories: more is ENOSPC, before OK or when the tree grows past
 * it. A lost event (the kernel queue overflowed) is EOVERFLOW: the client must not trust a gap. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "proto.h"

#define MAX_WATCHES 4096
#define MASK (IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

enum { EV_CREATE = 1, EV_WRITE = 2, EV_REMOVE = 3, EV_RENAME = 4, EV_CHMOD = 5 };

struct watch {
  int wd;
  char *rel; /* "" for the watched directory itself */
};

static struct watch g_w[MAX_WATCHES];
static int g_nw;
static int g_ifd;
static int g_recursive;
static const char *g_root;

static struct watch *find(int wd) {
  for (int i = 0; i < g_nw; i++)
    if (g_w[i].wd == wd) return &g_w[i];
  return NULL;
}

static void forget(int wd) {
  for (int i = 0; i < g_nw; i++)
    if (g_w[i].wd == wd) {
      free(g_w[i].rel);
      g_w[i] = g_w[--g_nw];
      return;
    }
}

static int send_event(int wfd, uint8_t kind, const char *rel, const char *name) {
  char path[PATH_MAX];
  int n = rel[0] ? snprintf(path, sizeof path, "%s/%s", rel, name) : snprintf(path, sizeof path, "%s", name);
  if (n < 0 || (size_t)n >= sizeof path) return 0; /* too long to name: skip it */
  unsigned char frame[1 + PATH_MAX];
  frame[0] = kind;
  memcpy(frame + 1, path, (size_t)n);
  return send_frame(wfd, FR_WATCH_EVENT, frame, 1u + (uint32_t)n);
}

/* Watches ROOT/rel and, recursively, its subdirectories. `announce` sends a create event for every
 * entry found (a directory moved or made in the tree may hold entries before its watch exists).
 * Returns 0, or an errno (ENOSPC past MAX_WATCHES). */
static int add_tree(int wfd, const char *rel, int announce) {
  char full[PATH_MAX];
  int n = rel[0] ? snprintf(full, sizeof full, "%s/%s", g_root, rel) : snprintf(full, sizeof full, "%s", g_root);
  if (n < 0 || (size_t)n >= sizeof full) return ENAMETOOLONG;
  int wd = inotify_add_watch(g_ifd, full, MASK | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd < 0) return rel[0] && (errno == ENOENT || errno == ENOTDIR || errno == EACCES) ? 0 : errno;
  if (!find(wd)) {
    if (g_nw >= MAX_WATCHES) {
      inotify_rm_watch(g_ifd, wd);
      return ENOSPC;
    }
    char *copy = strdup(rel);
    if (!copy) return ENOMEM;
    g_w[g_nw++] = (struct watch){.wd = wd, .rel = copy};
  }
  if (!g_recursive && !announce) return 0;
  DIR *d = opendir(full);
  if (!d) return 0; /* gone or unreadable meanwhile: its events say so */
  struct dirent *e;
  int err = 0;
  while (!err && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (announce && send_event(wfd, EV_CREATE, rel, e->d_name) < 0) err = EPIPE;
    if (err || !g_recursive || e->d_type != DT_DIR) continue;
    char sub[PATH_MAX];
    int m = rel[0] ? snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name) : snprintf(sub, sizeof sub, "%s", e->d_name);
    if (m < 0 || (size_t)m >= sizeof sub) continue;
    err = add_tree(wfd, sub, announce);
  }
  closedir(d);
  return err;
}

/* One inotify event to the client; -1 ends the watch (the client is gone or a limit was hit). */
static int relay(int wfd, const struct inotify_event *ev) {
  if (ev->mask & IN_Q_OVERFLOW) return send_err(wfd, EOVERFLOW, "too many changes at once: events were lost"), -1;
  struct watch *w = find(ev->wd);
  if (!w) return 0;
  if (ev->mask & IN_IGNORED) {
    int root = !w->rel[0];
    forget(ev->wd);
    if (root) return send_frame(wfd, FR_OK, NULL, 0), -1; /* the watched directory is gone */
    return 0;
  }
  if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) return 0; /* its parent reports it */
  if (!ev->len) return 0;
  const char *name = ev->name;
  int isdir = !!(ev->mask & IN_ISDIR);
  int kind = 0;
  if (ev->mask & (IN_CREATE | IN_MOVED_TO)) kind = EV_CREATE;
  else if (ev->mask & IN_MODIFY) kind = EV_WRITE;
  else if (ev->mask & IN_DELETE) kind = EV_REMOVE;
  else if (ev->mask & IN_MOVED_FROM) kind = EV_RENAME;
  else if (ev->mask & IN_ATTRIB) kind = EV_CHMOD;
  if (!kind) return 0;
  char rel[PATH_MAX];
  snprintf(rel, sizeof rel, "%s", w->rel); /* add_tree may move the table */
  if (send_event(wfd, (uint8_t)kind, rel, name) < 0) return -1;
  if (kind == EV_CREATE && isdir && g_recursive) {
    char sub[PATH_MAX];
    int m = rel[0] ? snprintf(sub, sizeof sub, "%s/%s", rel, name) : snprintf(sub, sizeof sub, "%s", name);
    if (m > 0 && (size_t)m < sizeof sub) {
      int err = add_tree(wfd, sub, 1);
      if (err == EPIPE) return -1;
      if (err) return send_err(wfd, err, "watching a new directory"), -1;
    }
  }
  return 0;
}

int watch_handle(int rfd, int wfd, unsigned char *payload, uint32_t len) {
  struct tlv t;
  uint32_t pos = 0;
  int rc;
  char *path = NULL;
  long long uid = -1, gid = -1;
  while ((rc = tlv_next(payload, len, &pos, &t)) == 1) {
    if (t.tag == 1) {
      free(path);
      path = tlv_strdup(&t);
      if (!path) rc = -1;
    } else if (t.tag == 4) {
      if ((uid = tlv_num(&t, 4294967294LL)) < 0) rc = -1;
    } else if (t.tag == 5) {
      if ((gid = tlv_num(&t, 4294967294LL)) < 0) rc = -1;
    } else if (t.tag == 7)
      for (uint32_t i = 0; i < t.len; i++)
        if (t.val[i] == 'r') g_recursive = 1;
    if (rc < 0) break;
  }
  free(payload);
  if (rc < 0 || !path || !path[0]) return send_err(wfd, EINVAL, "bad watch request"), 1;
  if (apply_creds(uid, gid) < 0) return send_err(wfd, errno, "switching uid/gid"), 1;
  struct stat st;
  if (stat(path, &st) < 0) return send_err(wfd, errno, path), 1;
  if (!S_ISDIR(st.st_mode)) return send_err(wfd, ENOTDIR, path), 1;
  g_root = path;
  g_ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (g_ifd < 0) return send_err(wfd, errno, "inotify_init1"), 1;
  int err = add_tree(wfd, "", 0);
  if (err == ENOSPC) return send_err(wfd, ENOSPC, "the tree has more directories than a watch may cover (4096)"), 1;
  if (err) return send_err(wfd, err, path), 1;
  if (send_frame(wfd, FR_OK, NULL, 0) < 0) return 1;

  /* Aligned for struct inotify_event; room for many events per read. */
  char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
  struct pollfd fds[2] = {{.fd = g_ifd, .events = POLLIN}, {.fd = rfd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents) return 0; /* the client hung up (or sent something: it has no say here) */
    if (!(fds[0].revents & POLLIN)) continue;
    ssize_t n = read(g_ifd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return send_err(wfd, errno, "reading inotify"), 1;
    }
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *ev = (const struct inotify_event *)p;
      if (relay(wfd, ev) < 0) return 0;
      p += sizeof *ev + ev->len;
    }
  }
}
