/* DIAL handler: a TCP connection to 127.0.0.1:<port> made inside the sandbox's own network stack
 * (the agent's), then raw bytes both ways on the client stream until both sides are done.
 *
 * This is how the runner reaches ports of gVisor sandboxes, whose sockets live in gVisor's
 * user-space network stack where no host netns entry (nsenter) can reach them. Only loopback is
 * ever dialled, and only a port number comes from the request: the agent never connects
 * anywhere else on the runner's behalf. (A sandbox that replaces the agent only answers its own
 * tunnels; the runner treats what comes back as that sandbox's untrusted bytes.)
 *
 * Request: DIAL with TLV 1 = port (decimal, 1..65535). Response: OK then raw bytes, or ERR. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"
#include "proto.h"

#define RELAY_CHUNK 65536u
#define CONNECT_TIMEOUT_MS 5000

/* One direction of the relay: bytes read from `from` wait in buf until written to `to`. */
struct half {
  int from, to;
  unsigned char buf[RELAY_CHUNK];
  size_t off, len;
  int eof;  /* `from` reached EOF */
  int shut; /* EOF passed on: `to` was shut down for writing */
};

static int dial_loopback(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    if (errno != EINPROGRESS) goto fail;
    struct pollfd pf = {.fd = s, .events = POLLOUT};
    int r;
    while ((r = poll(&pf, 1, CONNECT_TIMEOUT_MS)) < 0 && errno == EINTR) {
    }
    if (r == 0) errno = ETIMEDOUT;
    if (r <= 0) goto fail;
    int err = 0;
    socklen_t l = sizeof err;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &l) < 0) goto fail;
    if (err) {
      errno = err;
      goto fail;
    }
  }
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* interactive traffic (terminals, HMR) */
  return s;
fail: {
  int e = errno;
  close(s);
  errno = e;
  return -1;
}
}

/* Moves what it can; -1 when the connection is broken (reset, or a write to a closed peer). */
static int half_step(struct half *h, short rev_from, short rev_to) {
  if (h->len == 0 && !h->eof && (rev_from & (POLLIN | POLLHUP | POLLERR))) {
    ssize_t n = read(h->from, h->buf, sizeof h->buf);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return -1;
    if (n == 0) h->eof = 1;
    if (n > 0) {
      h->off = 0;
      h->len = (size_t)n;
    }
  }
  if (h->len > 0 && (rev_to & (POLLOUT | POLLERR | POLLHUP))) {
    ssize_t n = write(h->to, h->buf + h->off, h->len);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return -1;
    if (n > 0) {
      h->off += (size_t)n;
      h->len -= (size_t)n;
    }
  }
  if (h->eof && h->len == 0 && !h->shut) {
    shutdown(h->to, SHUT_WR);
    h->shut = 1;
  }
  return 0;
}

static int relay(int client, int tcp) {
  static struct half up, down; /* one relay per handler process: no need for the stack */
  up = (struct half){.from = client, .to = tcp};
  down = (struct half){.from = tcp, .to = client};
  fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
  while (!(up.shut && down.shut)) {
    struct pollfd pf[2] = {{.fd = client}, {.fd = tcp}};
    if (!up.eof && up.len == 0) pf[0].events |= POLLIN;
    if (!down.eof && down.len == 0) pf[1].events |= POLLIN;
    if (up.len) pf[1].events |= POLLOUT;
    if (down.len) pf[0].events |= POLLOUT;
    /* Nothing to wait for on a side (e.g. its EOF already passed on): leave it out, or its
     * standing POLLHUP would wake this loop forever. */
    for (int i = 0; i < 2; i++)
      if (!pf[i].events) pf[i].fd = -1;
    if (poll(pf, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (half_step(&up, pf[0].revents, pf[1].revents) < 0 || half_step(&down, pf[1].revents, pf[0].revents) < 0) return 1;
  }
  return 0;
}

int dial_handle(int fd, unsigned char *payload, uint32_t len) {
  struct tlv t;
  uint32_t pos = 0;
  long long port = -1;
  int rc;
  while ((rc = tlv_next(payload, len, &pos, &t)) == 1)
    if (t.tag == 1) port = tlv_num(&t, 65535);
  free(payload);
  if (rc < 0 || port < 1) return send_err(fd, EINVAL, "bad DIAL request"), 1;
  int s = dial_loopback((int)port);
  if (s < 0) {
    char what[64];
    snprintf(what, sizeof what, "connect 127.0.0.1:%lld", port);
    return send_err(fd, errno, what), 1;
  }
  if (send_frame(fd, FR_OK, NULL, 0) < 0) return 1;
  int r = relay(fd, s);
  close(s);
  return r;
}
