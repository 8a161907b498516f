/* Frame/TLV encoding, blocking frame I/O and credential switching shared by the handlers. */
#define _GNU_SOURCE
#include "proto.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long long g_uid_base = -1;
long long g_id_count = 65536;

uint32_t get_u32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

unsigned char *buf_tail(struct buf *b, size_t n) {
  if (b->len == 0) b->off = 0;
  if (b->off + b->len + n <= b->cap) return b->p + b->off + b->len;
  /* Compact first: consumed bytes at the front are reusable. */
  if (b->off > 0) {
    memmove(b->p, b->p + b->off, b->len);
    b->off = 0;
    if (b->len + n <= b->cap) return b->p + b->len;
  }
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + n) cap *= 2;
  unsigned char *p = realloc(b->p, cap);
  if (!p) return NULL;
  b->p = p;
  b->cap = cap;
  return b->p + b->len;
}

int buf_append(struct buf *b, const void *data, size_t n) {
  if (n == 0) return 0;
  unsigned char *t = buf_tail(b, n);
  if (!t) return -1;
  memcpy(t, data, n);
  b->len += n;
  return 0;
}

int buf_frame(struct buf *b, uint8_t type, const void *payload, uint32_t n) {
  unsigned char *t = buf_tail(b, FRAME_HDR + (size_t)n);
  if (!t) return -1;
  t[0] = type;
  put_u32(t + 1, n);
  if (n) memcpy(t + FRAME_HDR, payload, n);
  b->len += FRAME_HDR + (size_t)n;
  return 0;
}

void buf_consume(struct buf *b, size_t n) {
  b->off += n;
  b->len -= n;
  if (b->len == 0) b->off = 0;
}

void buf_free(struct buf *b) {
  free(b->p);
  b->p = NULL;
  b->off = b->len = b->cap = 0;
}

int tlv_add(struct buf *b, uint8_t tag, const void *val, uint32_t n) {
  unsigned char h[5];
  h[0] = tag;
  put_u32(h + 1, n);
  if (buf_append(b, h, 5) < 0) return -1;
  return buf_append(b, val, n);
}

int tlv_add_str(struct buf *b, uint8_t tag, const char *s) { return tlv_add(b, tag, s, (uint32_t)strlen(s)); }

int tlv_add_u64(struct buf *b, uint8_t tag, unsigned long long v) {
  char s[32];
  int n = snprintf(s, sizeof s, "%llu", v);
  return tlv_add(b, tag, s, (uint32_t)n);
}

int tlv_next(const unsigned char *p, uint32_t len, uint32_t *pos, struct tlv *out) {
  if (*pos == len) return 0;
  if (len - *pos < 5) return -1;
  uint32_t n = get_u32(p + *pos + 1);
  if (n > len - *pos - 5) return -1;
  out->tag = p[*pos];
  out->len = n;
  out->val = p + *pos + 5;
  *pos += 5 + n;
  return 1;
}

char *tlv_strdup(const struct tlv *t) {
  if (memchr(t->val, 0, t->len)) return NULL;
  char *s = malloc((size_t)t->len + 1);
  if (!s) return NULL;
  memcpy(s, t->val, t->len);
  s[t->len] = 0;
  return s;
}

long long tlv_num(const struct tlv *t, long long max) {
  if (t->len == 0 || t->len > 19) return -1;
  long long v = 0;
  for (uint32_t i = 0; i < t->len; i++) {
    if (t->val[i] < '0' || t->val[i] > '9') return -1;
    v = v * 10 + (t->val[i] - '0');
    if (v > max) return -1;
  }
  return v;
}

int write_full(int fd, const void *data, size_t n) {
  const unsigned char *p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_full(int fd, void *data, size_t n) {
  unsigned char *p = data;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

int read_frame(int fd, uint8_t *type, unsigned char **payload, uint32_t *len) {
  unsigned char h[FRAME_HDR];
  *payload = NULL;
  if (read_full(fd, h, FRAME_HDR) < 0) return -1;
  uint32_t n = get_u32(h + 1);
  if (n > MAX_PAYLOAD) return -1;
  if (n) {
    *payload = malloc(n);
    if (!*payload) return -1;
    if (read_full(fd, *payload, n) < 0) {
      free(*payload);
      *payload = NULL;
      return -1;
    }
  }
  *type = h[0];
  *len = n;
  return 0;
}

int send_frame(int fd, uint8_t type, const void *payload, uint32_t n) {
  unsigned char h[FRAME_HDR];
  h[0] = type;
  put_u32(h + 1, n);
  if (write_full(fd, h, FRAME_HDR) < 0) return -1;
  return n ? write_full(fd, payload, n) : 0;
}

int send_err(int fd, int err, const char *what) {
  char msg[4096 + 4];
  int n = snprintf(msg + 4, sizeof msg - 4, "%s%s%s", strerror(err), what ? ": " : "", what ? what : "");
  if (n < 0) n = 0;
  if ((size_t)n > sizeof msg - 5) n = (int)(sizeof msg - 5);
  put_u32((unsigned char *)msg, (uint32_t)err);
  return send_frame(fd, FR_ERR, msg, (uint32_t)n + 4);
}

int apply_creds(long long uid, long long gid) {
  if (g_uid_base >= 0) {
    /* `once` on a sandbox's files: ids are the sandbox's, shifted into its host range; never host root. */
    if (uid < 0) uid = 0;
    if (gid < 0) gid = uid;
    if (uid >= g_id_count || gid >= g_id_count) {
      errno = EINVAL;
      return -1;
    }
    uid += g_uid_base;
    gid += g_uid_base;
  } else if (uid < 0 && gid < 0) {
    return 0;
  } else {
    if (gid < 0) gid = uid;
    if (uid < 0) uid = (long long)getuid();
  }
  if (setgroups(0, NULL) < 0) return -1;
  if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0) return -1;
  if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) return -1;
  return 0;
}

unsigned long long view_id(unsigned long long id) {
  if (g_uid_base < 0) return id;
  if (id >= (unsigned long long)g_uid_base && id < (unsigned long long)(g_uid_base + g_id_count))
    return id - (unsigned long long)g_uid_base;
  return 65534;
}
