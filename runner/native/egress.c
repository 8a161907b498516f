/* Egress relay for sandboxes whose only way out is the runner (gVisor: its traffic cannot be
 * filtered in a netns, and this runsc refuses a sandbox's connect to a host unix socket). Every
 * byte goes over connections the RUNNER opened to the agent, the one direction that works; the
 * runner applies the egress policy to each stream on its side (runner/runtime/egress-relay.ts),
 * so nothing here is trusted: root inside may kill or replace this code.
 *
 *   EGRESS_LISTEN (TLV 1: port): bind 127.0.0.1:port and hold it (answer OK) until the runner
 *     hangs up; hand the listening socket (SCM_RIGHTS) to EGRESS_STREAM handlers that ask for it
 *     on the abstract unix socket below (from root only).
 *   EGRESS_STREAM: take that listening socket, wait for one connection (or the runner's hang-up),
 *     answer OK, then relay raw bytes both ways between that connection and the runner.
 * Several STREAM handlers accept on the same socket (the pre-fork pattern), so no connection
 * waits for a handler to be made, and none is lost when one handler is done. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "proto.h"

#define EGRESS_TAG_PORT 1
static const char EGRESS_ABSTRACT[] = "\0warren-egress-relay";

static socklen_t abstract_addr(struct sockaddr_un *a) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path, EGRESS_ABSTRACT, sizeof EGRESS_ABSTRACT - 1);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof EGRESS_ABSTRACT - 1);
}

static int fail(int wfd, const char *what) {
  send_err(wfd, errno ? errno : EIO, what);
  return 1;
}

int egress_listen_handle(int rfd, int wfd, unsigned char *payload, uint32_t len) {
  long long port = -1;
  uint32_t pos = 0;
  struct tlv t;
  int r;
  while ((r = tlv_next(payload, len, &pos, &t)) == 1)
    if (t.tag == EGRESS_TAG_PORT) port = tlv_num(&t, 65535);
  free(payload);
  if (r < 0 || port < 1) {
    errno = EINVAL;
    return fail(wfd, "EGRESS_LISTEN needs a port");
  }

  int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (tcp < 0 || setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 || bind(tcp, (struct sockaddr *)&in, sizeof in) < 0 ||
      listen(tcp, 128) < 0)
    return fail(wfd, "listen on the egress port");
  struct sockaddr_un ua;
  socklen_t ualen = abstract_addr(&ua);
  int ux = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ux < 0 || bind(ux, (struct sockaddr *)&ua, ualen) < 0 || listen(ux, 64) < 0) return fail(wfd, "bind the egress relay socket");
  if (send_frame(wfd, FR_OK, NULL, 0) < 0) return 1;

  for (;;) {
    struct pollfd p[2] = {{.fd = rfd, .events = POLLIN}, {.fd = ux, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (p[0].revents) return 0; /* the runner hung up (or spoke out of turn): stop listening */
    if (!p[1].revents) continue;
    int c = accept4(ux, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) continue;
    struct ucred cred;
    socklen_t cl = sizeof cred;
    /* Only root inside gets the socket (the agent's handlers run as root). */
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.uid == 0) {
      char byte = 0, ctl[CMSG_SPACE(sizeof(int))];
      struct iovec iov = {.iov_base = &byte, .iov_len = 1};
      struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
      memset(ctl, 0, sizeof ctl);
      struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(cm), &tcp, sizeof(int));
      (void)sendmsg(c, &mh, MSG_NOSIGNAL);
    }
    close(c);
  }
}

/* The listening socket from the EGRESS_LISTEN handler; -1 with errno set. */
static int take_listener(void) {
  struct sockaddr_un ua;
  socklen_t ualen = abstract_addr(&ua);
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0 || connect(c, (struct sockaddr *)&ua, ualen) < 0) return -1;
  char byte, ctl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
  close(c);
  struct cmsghdr *cm = n == 1 ? CMSG_FIRSTHDR(&mh) : NULL;
  if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int))) {
    errno = ECONNREFUSED;
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

/* Copies until EOF or an error on either side, then ends the write side of `to`. */
static void pump(int from, int to) {
  static char buf[65536];
  for (;;) {
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || write_full(to, buf, (size_t)n) < 0) break;
  }
  shutdown(to, SHUT_WR);
}

int egress_stream_handle(int rfd, int wfd, unsigned char *payload, uint32_t len) {
  free(payload);
  int lfd = take_listener();
  if (lfd < 0) return fail(wfd, "no egress listener");
  int conn = -1;
  while (conn < 0) {
    struct pollfd p[2] = {{.fd = rfd, .events = POLLIN}, {.fd = lfd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (p[0].revents) return 0; /* the runner no longer wants this stream */
    if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL)) return fail(wfd, "egress listener closed");
    /* The listener is non-blocking and shared: another handler may have taken this one. */
    if (p[1].revents) conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  }
  close(lfd);
  if (send_frame(wfd, FR_OK, NULL, 0) < 0) return 1;
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    pump(conn, wfd);
    _exit(0);
  }
  pump(rfd, conn);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  return 0;
}
