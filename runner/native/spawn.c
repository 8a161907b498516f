/* SPAWN handler: forks the command (pipes or a pty) and pumps its stdio over the client stream.
 *
 * One poll() loop moves bytes in both directions with bounded queues: when the client does not
 * read, the outgoing queue fills up and we stop reading the child's output, so the child blocks
 * instead of the agent growing. Detached processes additionally keep their output in a ring
 * buffer and listen on procs/<pid>.sock so a later client can ATTACH and see the recent output. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "proto.h"

#define OUTQ_MAX (1u << 20)     /* pause the child's output beyond this much unsent to the client */
#define STDINQ_MAX (1u << 20)   /* pause reading the client beyond this much unwritten stdin */
#define CHUNK 65536u
#define RING_DEFAULT 262144u
#define RING_MAX (4u << 20)
#define DRAIN_GRACE_MS 50       /* after exit, output fds held open by a background job count as drained */
#define ORPHAN_KEEP_MS (10LL * 60 * 1000)

extern char **environ;

struct spawn_req {
  char **argv, **env;
  size_t argc, envc;
  char *cwd;
  long long uid, gid;
  int pty, detach;
  unsigned short cols, rows;
  size_t ring;
};

/* Output ring of records [u8 stream][u32 len][bytes], oldest evicted first. */
struct ring {
  unsigned char *p;
  size_t cap, head, used;
};

struct client {
  int rfd, wfd;
  struct buf in, out;
};

struct pump {
  pid_t pid;
  int pty, detach;
  int stdin_fd, out_fd, err_fd, master;
  struct buf stdinq;
  int stdin_eof;
  int exited, status;
  int sigfd, lfd;
  char sock[PATH_MAX];
  struct ring ring;
  struct client c;
  int exit_queued;
  long long last_out_ms, orphan_deadline;
};

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- request parsing ---- */

static int parse_dims(const char *s, unsigned short *cols, unsigned short *rows) {
  unsigned long v[2] = {0, 0};
  int i = 0, digits = 0;
  for (; *s; s++) {
    if (*s >= '0' && *s <= '9') {
      v[i] = v[i] * 10 + (unsigned long)(*s - '0');
      if (v[i] > 65535) return -1;
      digits++;
    } else if (*s == ',' && i == 0 && digits) {
      i = 1;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (i != 1 || !digits || v[0] == 0 || v[1] == 0) return -1;
  *cols = (unsigned short)v[0];
  *rows = (unsigned short)v[1];
  return 0;
}

/* Strings stay allocated for the handler's (short) life. Returns 0 or an errno. */
static int parse_spawn(const unsigned char *p, uint32_t len, struct spawn_req *r) {
  struct tlv t;
  uint32_t pos = 0;
  int rc;
  size_t na = 0, ne = 0;
  while ((rc = tlv_next(p, len, &pos, &t)) == 1) {
    if (t.tag == 1) na++;
    if (t.tag == 2) ne++;
  }
  if (rc < 0 || na == 0) return EINVAL;
  r->argv = calloc(na + 1, sizeof *r->argv);
  r->env = calloc(ne + 1, sizeof *r->env);
  if (!r->argv || !r->env) return ENOMEM;
  r->uid = r->gid = -1;
  r->ring = RING_DEFAULT;
  pos = 0;
  while (tlv_next(p, len, &pos, &t) == 1) {
    char *s = tlv_strdup(&t);
    if (!s) return EINVAL;
    switch (t.tag) {
      case 1: r->argv[r->argc++] = s; break;
      case 2: r->env[r->envc++] = s; break;
      case 3: r->cwd = s; break;
      case 4: if ((r->uid = tlv_num(&t, 4294967294LL)) < 0) return EINVAL; break;
      case 5: if ((r->gid = tlv_num(&t, 4294967294LL)) < 0) return EINVAL; break;
      case 6:
        if (parse_dims(s, &r->cols, &r->rows) < 0) return EINVAL;
        r->pty = 1;
        break;
      case 7: r->detach = strcmp(s, "1") == 0; break;
      case 8: {
        long long v = tlv_num(&t, RING_MAX);
        if (v < 0) return EINVAL;
        r->ring = (size_t)v < 4096 ? 4096 : (size_t)v;
        break;
      }
      default: free(s); break; /* unknown tags are ignored for forward compatibility */
    }
  }
  return 0;
}

/* ---- child side ---- */

struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* Closes every fd >= `from` without close_range (gVisor's 2022 Sentry lacks it). Each syscall
 * costs tens of microseconds under gVisor's ptrace platform, so the open fds are read from
 * /proc/self/fd (raw getdents64: no allocation after fork) instead of closing all 65536 numbers;
 * only if /proc is unreadable does it fall back to that. */
static void close_fds_from(int from) {
  int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    for (int fd = from; fd < 65536; fd++) close(fd);
    return;
  }
  int fds[1024];
  size_t n = 0;
  char buf[4096] __attribute__((aligned(8)));
  long got;
  while ((got = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < got;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      off += d->d_reclen;
      if (d->d_name[0] < '0' || d->d_name[0] > '9') continue;
      int fd = atoi(d->d_name);
      if (fd >= from && fd != dfd && n < sizeof fds / sizeof fds[0]) fds[n++] = fd;
    }
  }
  close(dfd);
  for (size_t i = 0; i < n; i++) close(fds[i]);
  /* More than the buffer holds: the rest the slow way. */
  if (n == sizeof fds / sizeof fds[0]) for (int fd = from; fd < 65536; fd++) close(fd);
}

static void child_exec(struct spawn_req *r, int in, int out, int err, int slave, const sigset_t *oldmask) {
  if (setsid() < 0) _exit(126);
  if (r->pty) {
    if (ioctl(slave, TIOCSCTTY, 0) < 0) _exit(126);
    in = out = err = slave;
  }
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
  /* Nothing of the agent (sockets, other pipes) may leak into the command. */
  if (close_range(3, ~0U, 0) < 0) close_fds_from(3);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  sigprocmask(SIG_SETMASK, oldmask, NULL);
  if (apply_creds(r->uid, r->gid) < 0) {
    dprintf(2, "warren: cannot switch to uid %lld gid %lld: %s\n", r->uid, r->gid, strerror(errno));
    _exit(126);
  }
  if (r->cwd && chdir(r->cwd) < 0) {
    dprintf(2, "warren: cd %s: %s\n", r->cwd, strerror(errno));
    _exit(126);
  }
  /* glibc's execvpe searches the PATH of the current environment: make it the requested one. */
  environ = r->env;
  execvpe(r->argv[0], r->argv, r->env);
  int e = errno;
  if (e == ENOENT) {
    if (strchr(r->argv[0], '/')) dprintf(2, "warren: %s: No such file or directory\n", r->argv[0]);
    else dprintf(2, "warren: %s: command not found\n", r->argv[0]);
    _exit(127);
  }
  dprintf(2, "warren: %s: %s\n", r->argv[0], strerror(e));
  _exit(126);
}

/* ---- ring ---- */

static void ring_copy_in(struct ring *r, size_t pos, const unsigned char *src, size_t n) {
  pos %= r->cap;
  size_t first = r->cap - pos < n ? r->cap - pos : n;
  memcpy(r->p + pos, src, first);
  memcpy(r->p, src + first, n - first);
}

static void ring_copy_out(const struct ring *r, size_t pos, unsigned char *dst, size_t n) {
  pos %= r->cap;
  size_t first = r->cap - pos < n ? r->cap - pos : n;
  memcpy(dst, r->p + pos, first);
  memcpy(dst + first, r->p, n - first);
}

static void ring_add(struct ring *r, uint8_t type, const unsigned char *data, size_t n) {
  if (!r->p) return;
  if (n + FRAME_HDR > r->cap) { /* keep the newest bytes of an oversized chunk */
    data += n - (r->cap - FRAME_HDR);
    n = r->cap - FRAME_HDR;
  }
  while (r->cap - r->used < n + FRAME_HDR) {
    unsigned char h[FRAME_HDR];
    ring_copy_out(r, r->head, h, FRAME_HDR);
    size_t rec = FRAME_HDR + get_u32(h + 1);
    r->head = (r->head + rec) % r->cap;
    r->used -= rec;
  }
  unsigned char h[FRAME_HDR];
  h[0] = type;
  put_u32(h + 1, (uint32_t)n);
  ring_copy_in(r, r->head + r->used, h, FRAME_HDR);
  ring_copy_in(r, r->head + r->used + FRAME_HDR, data, n);
  r->used += n + FRAME_HDR;
}

/* Records are already frames: replay is a straight copy. */
static int ring_replay(const struct ring *r, struct buf *out) {
  if (!r->p || r->used == 0) return 0;
  unsigned char *t = buf_tail(out, r->used);
  if (!t) return -1;
  ring_copy_out(r, r->head, t, r->used);
  out->len += r->used;
  return 0;
}

/* ---- pump ---- */

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void client_drop(struct pump *p) {
  if (p->c.wfd >= 0 && p->c.wfd != p->c.rfd) close(p->c.wfd);
  if (p->c.rfd >= 0) close(p->c.rfd);
  p->c.rfd = p->c.wfd = -1;
  buf_free(&p->c.in);
  buf_free(&p->c.out);
  p->exit_queued = 0;
}

static int queue_started(struct pump *p) {
  unsigned char b[4];
  put_u32(b, (uint32_t)p->pid);
  return buf_frame(&p->c.out, FR_STARTED, b, 4);
}

static void reap(struct pump *p) {
  struct signalfd_siginfo si;
  while (read(p->sigfd, &si, sizeof si) > 0) {
  }
  int st;
  pid_t w;
  while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
    if (w == p->pid) {
      p->exited = 1;
      p->status = st;
      p->last_out_ms = now_ms();
    }
  }
}

static void signal_child(struct pump *p, int sig) {
  if (kill(-p->pid, sig) < 0 && errno == ESRCH && !p->exited) kill(p->pid, sig);
}

/* One frame from the client. -1 = protocol error. */
static int client_frame(struct pump *p, uint8_t type, const unsigned char *d, uint32_t n) {
  switch (type) {
    case FR_STDIN:
      if (p->stdin_fd >= 0 && !p->stdin_eof && buf_append(&p->stdinq, d, n) < 0) return -1;
      return 0;
    case FR_STDIN_EOF:
      if (p->pty) { /* a terminal has no half-close: send the EOF character, as a user typing ^D */
        if (p->stdin_fd >= 0 && buf_append(&p->stdinq, "\x04", 1) < 0) return -1;
      } else {
        p->stdin_eof = 1;
      }
      return 0;
    case FR_RESIZE:
      if (n != 4) return -1;
      if (p->pty && p->master >= 0) {
        struct winsize ws = {.ws_col = (unsigned short)((d[0] << 8) | d[1]), .ws_row = (unsigned short)((d[2] << 8) | d[3])};
        ioctl(p->master, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the foreground group */
      }
      return 0;
    case FR_SIGNAL: {
      if (n != 4) return -1;
      int32_t sig = (int32_t)get_u32(d);
      if (sig > 0 && sig < 65) signal_child(p, sig);
      return 0;
    }
    case FR_ATTACH:
      return 0;
    default:
      return -1;
  }
}

/* Read what the client sent; -1 when it is gone or broke the protocol. */
static int client_read(struct pump *p) {
  unsigned char *t = buf_tail(&p->c.in, CHUNK);
  if (!t) return -1;
  ssize_t r = read(p->c.rfd, t, CHUNK);
  if (r < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
  if (r == 0) return -1;
  p->c.in.len += (size_t)r;
  while (p->c.in.len >= FRAME_HDR) {
    const unsigned char *f = p->c.in.p + p->c.in.off;
    uint32_t n = get_u32(f + 1);
    if (n > MAX_PAYLOAD) return -1;
    if (p->c.in.len < FRAME_HDR + (size_t)n) break;
    if (client_frame(p, f[0], f + FRAME_HDR, n) < 0) return -1;
    buf_consume(&p->c.in, FRAME_HDR + (size_t)n);
  }
  return 0;
}

static int client_write(struct pump *p) {
  ssize_t w = write(p->c.wfd, p->c.out.p + p->c.out.off, p->c.out.len);
  if (w < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
  buf_consume(&p->c.out, (size_t)w);
  return 0;
}

static void stdin_write(struct pump *p) {
  ssize_t w = write(p->stdin_fd, p->stdinq.p + p->stdinq.off, p->stdinq.len);
  if (w < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    close_fd(&p->stdin_fd); /* the child closed its stdin: drop what it will never read */
    buf_free(&p->stdinq);
    return;
  }
  buf_consume(&p->stdinq, (size_t)w);
}

static void output_read(struct pump *p, int *fd, uint8_t type) {
  unsigned char tmp[CHUNK];
  ssize_t n = read(*fd, tmp, sizeof tmp);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) { /* EOF, or EIO from a pty master once every slave fd is closed */
    if (*fd == p->master) p->master = -1;
    close_fd(fd);
    return;
  }
  p->last_out_ms = now_ms();
  if (p->detach) ring_add(&p->ring, type, tmp, (size_t)n);
  if (p->c.wfd >= 0 && buf_frame(&p->c.out, type, tmp, (uint32_t)n) < 0) client_drop(p);
}

static void accept_attach(struct pump *p) {
  int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  /* Only root can reach procs/; still, a silent client must not stall the pump for long. */
  struct timeval tv = {.tv_sec = 1};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  uint8_t type;
  unsigned char *payload;
  uint32_t len;
  if (read_frame(fd, &type, &payload, &len) < 0 || type != FR_ATTACH) {
    if (payload) free(payload);
    close(fd);
    return;
  }
  free(payload);
  if (p->c.rfd >= 0) client_drop(p); /* one attached client at a time: the newest wins */
  p->c.rfd = p->c.wfd = fd;
  set_nonblock(fd);
  if (queue_started(p) < 0 || ring_replay(&p->ring, &p->c.out) < 0) client_drop(p);
}

static int make_proc_socket(struct pump *p) {
  if (!g_sock_dir) return EINVAL;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int n = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/procs/%d.sock", g_sock_dir, (int)p->pid);
  if (n < 0 || (size_t)n >= sizeof addr.sun_path) return ENAMETOOLONG;
  strcpy(p->sock, addr.sun_path);
  p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (p->lfd < 0) return errno;
  unlink(p->sock); /* a stale socket of a recycled pid */
  mode_t old = umask(077);
  int rc = bind(p->lfd, (struct sockaddr *)&addr, sizeof addr);
  if (rc < 0 && errno == ENOENT) {
    /* procs/ went away (root inside removed or renamed it): make it again, once. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/procs", g_sock_dir);
    if (mkdir(dir, 0700) == 0 || errno == EEXIST) rc = bind(p->lfd, (struct sockaddr *)&addr, sizeof addr);
    else errno = ENOENT;
  }
  umask(old);
  if (rc < 0 || chmod(p->sock, 0600) < 0 || listen(p->lfd, 8) < 0) return errno;
  return 0;
}

/* After EXIT, half-close and drain what the client still sends (e.g. a STDIN_EOF that crossed
 * the exit on the wire) before closing: closing with unread data would make the client's last
 * write fail with EPIPE/ECONNRESET and can lose the EXIT frame on its side. Bounded to 1 s. */
static void linger_close(int wfd, int rfd) {
  shutdown(wfd, SHUT_WR);
  long long deadline = now_ms() + 1000;
  char buf[4096];
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) break;
    struct pollfd pf = {.fd = rfd, .events = POLLIN};
    int r = poll(&pf, 1, (int)left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t n = read(rfd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
  }
}

static void finish_detached(struct pump *p) {
  if (p->sock[0]) unlink(p->sock);
}

static int pump(struct pump *p) {
  for (;;) {
    int drained = p->out_fd < 0 && p->err_fd < 0;
    int has_client = p->c.wfd >= 0;
    long long now = now_ms();

    if (p->exited && drained) {
      if (has_client && !p->exit_queued) {
        unsigned char b[8];
        int code = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
        int sig = WIFSIGNALED(p->status) ? WTERMSIG(p->status) : 0;
        put_u32(b, (uint32_t)code);
        put_u32(b + 4, (uint32_t)sig);
        if (buf_frame(&p->c.out, FR_EXIT, b, 8) < 0) return 1;
        p->exit_queued = 1;
      }
      if (has_client && p->c.out.len == 0) {
        linger_close(p->c.wfd, p->c.rfd);
        finish_detached(p);
        return 0;
      }
      if (!has_client) {
        if (!p->detach) return 0;
        if (!p->orphan_deadline) p->orphan_deadline = now + ORPHAN_KEEP_MS;
        if (now >= p->orphan_deadline) {
          finish_detached(p);
          return 0;
        }
      }
    }

    /* An EOF read from the client on the previous pass, with nothing left queued: close now,
     * before blocking in poll (nothing else may wake us, and the child waits for this EOF). */
    if (p->stdin_eof && p->stdinq.len == 0 && p->stdin_fd >= 0) close_fd(&p->stdin_fd);

    struct pollfd fds[8];
    int nf = 0, i_sig, i_cr = -1, i_cw = -1, i_in = -1, i_out = -1, i_err = -1, i_l = -1;
    fds[i_sig = nf++] = (struct pollfd){.fd = p->sigfd, .events = POLLIN};
    /* With stdin backed up we stop reading the client, but still watch for it hanging up
     * (POLLHUP/POLLERR are always reported), so a vanished client cannot strand its command. */
    int read_client = p->stdinq.len < STDINQ_MAX;
    if (p->c.rfd >= 0) fds[i_cr = nf++] = (struct pollfd){.fd = p->c.rfd, .events = read_client ? POLLIN : 0};
    if (p->c.wfd >= 0 && p->c.out.len > 0) fds[i_cw = nf++] = (struct pollfd){.fd = p->c.wfd, .events = POLLOUT};
    if (p->stdin_fd >= 0 && p->stdinq.len > 0) fds[i_in = nf++] = (struct pollfd){.fd = p->stdin_fd, .events = POLLOUT};
    /* Backpressure: with a client attached, a full queue stops us reading the child's output.
     * Without a client (detached), output always flows into the ring so the child never blocks. */
    int read_out = !has_client || p->c.out.len < OUTQ_MAX;
    if (read_out && p->out_fd >= 0) fds[i_out = nf++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
    if (read_out && p->err_fd >= 0) fds[i_err = nf++] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
    if (p->lfd >= 0) fds[i_l = nf++] = (struct pollfd){.fd = p->lfd, .events = POLLIN};

    int timeout = -1;
    if (p->exited && !drained && read_out) {
      long long left = p->last_out_ms + DRAIN_GRACE_MS - now;
      timeout = left > 0 ? (int)left : 0;
    } else if (p->exited && drained && !has_client && p->orphan_deadline) {
      long long left = p->orphan_deadline - now;
      timeout = left > INT_MAX ? INT_MAX : left > 0 ? (int)left : 0;
    }

    int rc = poll(fds, (nfds_t)nf, timeout);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (rc == 0 && p->exited && !drained && read_out && now_ms() - p->last_out_ms >= DRAIN_GRACE_MS) {
      /* The command exited but a background job still holds its output open: stop waiting. */
      if (p->out_fd == p->master) p->master = -1;
      close_fd(&p->out_fd);
      close_fd(&p->err_fd);
      continue;
    }
    if (fds[i_sig].revents) reap(p);
    if (i_out >= 0 && fds[i_out].revents) output_read(p, &p->out_fd, FR_STDOUT);
    if (i_err >= 0 && fds[i_err].revents) output_read(p, &p->err_fd, FR_STDERR);
    if (i_in >= 0 && fds[i_in].revents && p->stdin_fd >= 0) stdin_write(p);
    if (p->stdin_eof && p->stdinq.len == 0 && p->stdin_fd >= 0) close_fd(&p->stdin_fd);
    int gone = 0;
    if (i_cw >= 0 && fds[i_cw].revents && p->c.wfd >= 0 && client_write(p) < 0) gone = 1;
    if (!gone && i_cr >= 0 && fds[i_cr].revents && p->c.rfd >= 0) {
      if (read_client ? client_read(p) < 0 : (fds[i_cr].revents & (POLLHUP | POLLERR)) != 0) gone = 1;
    }
    if (gone) {
      if (!p->detach) { /* nobody is listening any more: the command goes with its client */
        signal_child(p, SIGKILL);
        if (!p->exited) waitpid(p->pid, NULL, 0);
        return 0;
      }
      client_drop(p);
    }
    if (i_l >= 0 && fds[i_l].revents) accept_attach(p);
  }
}

int spawn_handle(int rfd, int wfd, unsigned char *payload, uint32_t len) {
  struct spawn_req r = {0};
  int err = parse_spawn(payload, len, &r);
  free(payload);
  if (err) return send_err(wfd, err, "bad SPAWN request"), 1;
  if (r.detach && !g_sock_dir) return send_err(wfd, EINVAL, "detach needs the serve socket"), 1;

  struct pump p = {.stdin_fd = -1, .out_fd = -1, .err_fd = -1, .master = -1, .lfd = -1, .pty = r.pty, .detach = r.detach};
  p.c.rfd = rfd;
  p.c.wfd = wfd;

  /* SIGCHLD through a signalfd so child exit is just another poll() event. Blocked before the
   * fork so an instant exit cannot be missed. */
  sigset_t mask, oldmask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &mask, &oldmask) < 0) return send_err(wfd, errno, "sigprocmask"), 1;
  p.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (p.sigfd < 0) return send_err(wfd, errno, "signalfd"), 1;

  int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1}, master = -1, slave = -1;
  if (r.pty) {
    struct winsize ws = {.ws_col = r.cols, .ws_row = r.rows};
    if (openpty(&master, &slave, NULL, NULL, &ws) < 0) return send_err(wfd, errno, "openpty"), 1;
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
    /* The terminal belongs to its user, as login would arrange (mesg, script, ssh check this). */
    /* Best effort: the command works through the fd either way. */
    if (r.uid >= 0 && g_uid_base < 0 && fchown(slave, (uid_t)r.uid, (gid_t)(r.gid >= 0 ? r.gid : r.uid)) == 0)
      fchmod(slave, 0620);
  } else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
    return send_err(wfd, errno, "pipe"), 1;
  }
  if (r.detach && r.ring) {
    p.ring.p = malloc(r.ring); /* pages are only touched as output arrives */
    if (!p.ring.p) return send_err(wfd, ENOMEM, "ring buffer"), 1;
    p.ring.cap = r.ring;
  }

  p.pid = fork();
  if (p.pid < 0) return send_err(wfd, errno, "fork"), 1;
  if (p.pid == 0) child_exec(&r, in[0], out[1], errp[1], slave, &oldmask);

  if (r.pty) {
    close(slave);
    p.master = p.out_fd = master;
    p.stdin_fd = dup(master); /* separate fd so closing one direction leaves the other */
    if (p.stdin_fd >= 0) fcntl(p.stdin_fd, F_SETFD, FD_CLOEXEC);
  } else {
    close(in[0]);
    close(out[1]);
    close(errp[1]);
    p.stdin_fd = in[1];
    p.out_fd = out[0];
    p.err_fd = errp[0];
  }
  if (p.stdin_fd >= 0) set_nonblock(p.stdin_fd);
  set_nonblock(p.out_fd);
  if (p.err_fd >= 0) set_nonblock(p.err_fd);

  if (r.detach) {
    int e = make_proc_socket(&p);
    if (e) {
      signal_child(&p, SIGKILL);
      waitpid(p.pid, NULL, 0);
      return send_err(wfd, e, "proc socket"), 1;
    }
  }
  set_nonblock(rfd);
  if (wfd != rfd) set_nonblock(wfd);
  p.last_out_ms = now_ms();
  if (queue_started(&p) < 0) return 1;
  return pump(&p);
}
