/* ATTACH on the serve socket: the runner re-attaches to a detached process through the agent,
 * never through a path of its own. The handler connects to procs/<pid>.sock as the sandbox sees
 * it (inside the sandbox's mount and pid namespaces, so a planted symlink can only lead to the
 * sandbox's own things), sends ATTACH there, and relays bytes both ways until both sides end. */
#define _GNU_SOURCE
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

#define PID_MAX_LIMIT 4194304u

/* Copies what is readable on `from` to `to`; 0 on EOF (after half-closing `to`), -1 on error. */
static int pass(int from, int to) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0) return (errno == EINTR || errno == EAGAIN) ? 1 : -1;
  if (n == 0) {
    shutdown(to, SHUT_WR);
    return 0;
  }
  return write_full(to, buf, (size_t)n) < 0 ? -1 : 1;
}

static int relay(int rfd, int wfd, int proc) {
  int up = 1, down = 1; /* client -> process, process -> client */
  while (up || down) {
    struct pollfd fds[2] = {{.fd = up ? rfd : -1, .events = POLLIN}, {.fd = down ? proc : -1, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents) {
      int r = pass(rfd, proc);
      if (r < 0) return 1;
      if (r == 0) up = 0;
    }
    if (fds[1].revents) {
      int r = pass(proc, wfd);
      if (r < 0) return 1;
      if (r == 0) down = 0;
    }
  }
  return 0;
}

int attach_handle(int rfd, int wfd, unsigned char *payload, uint32_t len) {
  uint32_t pid = len == 4 ? get_u32(payload) : 0;
  free(payload);
  if (!g_sock_dir) return send_err(wfd, EINVAL, "attach needs the serve socket"), 1;
  if (pid == 0 || pid > PID_MAX_LIMIT) return send_err(wfd, EINVAL, "bad ATTACH request"), 1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int n = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/procs/%u.sock", g_sock_dir, pid);
  if (n < 0 || (size_t)n >= sizeof addr.sun_path) return send_err(wfd, ENAMETOOLONG, "proc socket"), 1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return send_err(wfd, errno, "socket"), 1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno == ECONNREFUSED ? ENOENT : errno; /* a stale socket: the process is gone */
    close(fd);
    return send_err(wfd, e, "no such detached process"), 1;
  }
  if (send_frame(fd, FR_ATTACH, NULL, 0) < 0) {
    close(fd);
    return send_err(wfd, EPIPE, "attach"), 1;
  }
  int rc = relay(rfd, wfd, fd);
  close(fd);
  return rc;
}

/* Lists procs/ as the sandbox sees it: names of the form <pid>.sock that are sockets. At most
 * 4096 pids are reported (a sandbox's pids limit is lower). */
int procs_handle(int wfd, unsigned char *payload) {
  free(payload);
  if (!g_sock_dir) return send_err(wfd, EINVAL, "procs needs the serve socket"), 1;
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/procs", g_sock_dir);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOENT) return send_frame(wfd, FR_OK, NULL, 0) < 0;
    return send_err(wfd, errno, "procs"), 1;
  }
  DIR *d = fdopendir(dfd);
  if (!d) return send_err(wfd, errno, "procs"), 1;
  unsigned char out[4096 * 4];
  uint32_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < sizeof out) {
    char *end;
    unsigned long pid = strtoul(de->d_name, &end, 10);
    if (end == de->d_name || strcmp(end, ".sock") != 0 || pid == 0 || pid > PID_MAX_LIMIT || de->d_name[0] == '0') continue;
    struct stat st;
    if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode)) continue;
    put_u32(out + n, (uint32_t)pid);
    n += 4;
  }
  closedir(d);
  if (n && send_frame(wfd, FR_DATA, out, n) < 0) return 1;
  return send_frame(wfd, FR_OK, NULL, 0) < 0;
}
