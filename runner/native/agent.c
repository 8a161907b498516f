/* warren-agent: the in-sandbox helper that runs commands, PTYs and file operations for the runner.
 *
 *   warren-agent serve --socket PATH    listen on PATH; fork one handler per connection
 *   warren-agent serve --listen-fd N --dir DIR
 *                                       listen on the already-bound socket N (handed in by the
 *                                       runner, bound in a host dir the sandbox cannot reach);
 *                                       DIR holds procs/ (detached processes' sockets)
 *   warren-agent once [--root DIR] [--uid-base B [--count N]]
 *                                       one request on stdin/stdout, chrooted into DIR first
 *
 * The serve daemon only accepts and forks, so it stays tiny while idle and a crashing handler
 * takes down nothing but its own connection. Protocol: see proto.h and the TypeScript client in
 * runner/agent/protocol.ts. */
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"

const char *g_sock_dir;

static void usage(void) {
  fprintf(stderr,
          "usage: warren-agent serve --socket PATH\n"
          "       warren-agent once [--root DIR] [--uid-base B [--count N]]\n");
  exit(2);
}

/* Reads the first frame and dispatches; returns the handler's exit status. */
/* `once` runs on the host (chrooted into a stopped sandbox's or a snapshot's files): it serves
 * file requests only, never a command (that would run outside every namespace and limit). */
static int g_files_only;

static int handle_conn(int rfd, int wfd) {
  uint8_t type;
  unsigned char *payload;
  uint32_t len;
  if (read_frame(rfd, &type, &payload, &len) < 0) return 1;
  if (g_files_only && !(type >= FR_FS_LIST && type <= FR_FS_RENAME)) {
    free(payload);
    send_err(wfd, EPERM, "only file requests in once mode");
    return 1;
  }
  if (type == FR_SPAWN) return spawn_handle(rfd, wfd, payload, len);
  if (type == FR_ATTACH) return attach_handle(rfd, wfd, payload, len);
  if (type == FR_PROCS) return procs_handle(wfd, payload);
  /* `once` never gets here (files only): on the host, a dial would reach the host's loopback. */
  if (type == FR_DIAL) return rfd == wfd ? dial_handle(rfd, payload, len) : (free(payload), send_err(wfd, EINVAL, "dial needs the serve socket"), 1);
  if (type == FR_FS_WATCH) return watch_handle(rfd, wfd, payload, len);
  if (type >= FR_FS_LIST && type <= FR_FS_RENAME) return fs_handle(rfd, wfd, type, payload, len);
  if (type == FR_EGRESS_LISTEN) return egress_listen_handle(rfd, wfd, payload, len);
  if (type == FR_EGRESS_STREAM) return egress_stream_handle(rfd, wfd, payload, len);
  free(payload);
  send_err(wfd, EINVAL, "unknown request type");
  return 1;
}

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

/* A listening socket bound at PATH (the standalone mode tests use). */
static int listen_path(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    fprintf(stderr, "warren-agent: socket path too long: %s\n", path);
    return -1;
  }
  strcpy(addr.sun_path, path);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0) {
    perror("warren-agent: socket");
    return -1;
  }
  if (unlink(path) < 0 && errno != ENOENT) {
    fprintf(stderr, "warren-agent: unlink %s: %s\n", path, strerror(errno));
    return -1;
  }
  mode_t old = umask(077); /* the socket is created 0600 (no window with wider permissions) */
  int rc = bind(lfd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (rc < 0 || chmod(path, 0600) < 0) {
    fprintf(stderr, "warren-agent: bind %s: %s\n", path, strerror(errno));
    return -1;
  }
  return lfd;
}

static char *dir_of(const char *path) {
  char *dir = strdup(path);
  if (!dir) return NULL;
  char *slash = strrchr(dir, '/');
  if (slash == dir) dir[1] = 0;
  else if (slash) *slash = 0;
  else strcpy(dir, ".");
  return dir;
}

static int serve(int lfd, const char *dir) {
  /* Root inside the sandbox must not take this process over (ptrace, /proc/<pid>/fd, pidfd_getfd
   * all need it dumpable or CAP_SYS_PTRACE, which the sandbox lacks): otherwise it could answer the
   * runner itself, or read other requests. Commands it runs become dumpable again at exec. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    perror("warren-agent: prctl(PR_SET_DUMPABLE)");
    return 1;
  }
  /* procs/ holds the sockets of detached processes; only root (inside) and the host may enter. */
  g_sock_dir = dir;
  char procs[4200];
  snprintf(procs, sizeof procs, "%s/procs", dir);
  if (mkdir(procs, 0700) < 0 && errno != EEXIST) {
    fprintf(stderr, "warren-agent: mkdir %s: %s\n", procs, strerror(errno));
    return 1;
  }
  if (chmod(procs, 0700) < 0) {
    fprintf(stderr, "warren-agent: chmod %s: %s\n", procs, strerror(errno));
    return 1;
  }

  /* The handed-in socket must not leak into the commands the agent runs. */
  if (fcntl(lfd, F_SETFD, FD_CLOEXEC) < 0 || listen(lfd, 128) < 0) {
    perror("warren-agent: listen");
    return 1;
  }

  struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, NULL) < 0) {
    perror("warren-agent: sigaction");
    return 1;
  }

  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        usleep(10000); /* transient resource shortage: back off instead of spinning */
        continue;
      }
      perror("warren-agent: accept");
      return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
      send_err(fd, errno, "fork");
      close(fd);
      continue;
    }
    if (pid == 0) {
      close(lfd);
      signal(SIGCHLD, SIG_DFL);
      _exit(handle_conn(fd, fd));
    }
    close(fd);
  }
}

static long long parse_num(const char *s) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || end == s || v < 0 || v > 4294967294LL) usage();
  return v;
}

int main(int argc, char **argv) {
  /* A vanished client must surface as EPIPE, never kill the handler. */
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) usage();
  if (strcmp(argv[1], "serve") == 0) {
    const char *sock = NULL, *dir = NULL;
    long long fd = -1;
    for (int i = 2; i < argc; i++) {
      if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) sock = argv[++i];
      else if (strcmp(argv[i], "--listen-fd") == 0 && i + 1 < argc) fd = parse_num(argv[++i]);
      else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir = argv[++i];
      else usage();
    }
    if (!sock == (fd < 0) || (fd >= 0 && !dir) || fd > 1024) usage();
    if (chdir("/") < 0) return 1;
    if (sock) {
      int lfd = listen_path(sock);
      char *d = dir ? strdup(dir) : dir_of(sock);
      if (lfd < 0 || !d) return 1;
      return serve(lfd, d);
    }
    return serve((int)fd, dir);
  }
  if (strcmp(argv[1], "once") == 0) {
    const char *root = NULL;
    g_files_only = 1;
    for (int i = 2; i < argc; i++) {
      if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) root = argv[++i];
      else if (strcmp(argv[i], "--uid-base") == 0 && i + 1 < argc) g_uid_base = parse_num(argv[++i]);
      else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) g_id_count = parse_num(argv[++i]);
      else usage();
    }
    if (root) {
      /* Every path of the request now resolves inside DIR: `..` and absolute symlinks stop at it. */
      if (chroot(root) < 0) {
        fprintf(stderr, "warren-agent: chroot %s: %s\n", root, strerror(errno));
        return 1;
      }
    }
    if (chdir("/") < 0) {
      perror("warren-agent: chdir /");
      return 1;
    }
    return handle_conn(0, 1);
  }
  usage();
  return 2;
}
