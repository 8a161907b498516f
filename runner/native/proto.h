/* Wire protocol shared by every warren-agent handler.
 * Frames: [u8 type][u32 BE payload length][payload], payload <= 1 MiB.
 * Request parameters: TLV list [u8 tag][u32 BE len][bytes] inside the first frame's payload. */
#ifndef WARREN_PROTO_H
#define WARREN_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_PAYLOAD (1u << 20)
#define FRAME_HDR 5u

enum frame_type {
  FR_SPAWN = 0x01, FR_STDIN = 0x02, FR_STDIN_EOF = 0x03, FR_RESIZE = 0x04, FR_SIGNAL = 0x05, FR_ATTACH = 0x06, FR_PROCS = 0x07, FR_DIAL = 0x08,
  FR_STARTED = 0x10, FR_STDOUT = 0x11, FR_STDERR = 0x12, FR_EXIT = 0x13,
  FR_FS_LIST = 0x20, FR_FS_STAT = 0x21, FR_FS_READ = 0x22, FR_FS_WRITE = 0x23,
  FR_FS_MKDIR = 0x24, FR_FS_REMOVE = 0x25, FR_FS_RENAME = 0x26, FR_FS_WATCH = 0x27,
  FR_ENTRY = 0x30, FR_DATA = 0x31, FR_DATA_END = 0x32, FR_WATCH_EVENT = 0x33, FR_ERR = 0x3E, FR_OK = 0x3F,
  /* The egress relay (egress.c): requests in their own range. */
  FR_EGRESS_LISTEN = 0x40, FR_EGRESS_STREAM = 0x41,
};

/* Growable byte queue: bytes live in p[off, off+len). */
struct buf {
  unsigned char *p;
  size_t off, len, cap;
};

int buf_append(struct buf *b, const void *data, size_t n);
int buf_frame(struct buf *b, uint8_t type, const void *payload, uint32_t n);
/* Reserve n writable bytes at the tail and return a pointer to them (NULL on ENOMEM). */
unsigned char *buf_tail(struct buf *b, size_t n);
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);
int tlv_add(struct buf *b, uint8_t tag, const void *val, uint32_t n);
int tlv_add_str(struct buf *b, uint8_t tag, const char *s);
int tlv_add_u64(struct buf *b, uint8_t tag, unsigned long long v);

struct tlv {
  uint8_t tag;
  uint32_t len;
  const unsigned char *val;
};
/* 1 = got an item, 0 = end of list, -1 = malformed. */
int tlv_next(const unsigned char *p, uint32_t len, uint32_t *pos, struct tlv *out);
/* NUL-terminated copy of a TLV value; NULL when it holds a NUL byte or on ENOMEM. */
char *tlv_strdup(const struct tlv *t);
/* Strict decimal parse of a TLV value into [0, max]; -1 when malformed. */
long long tlv_num(const struct tlv *t, long long max);

uint32_t get_u32(const unsigned char *p);
void put_u32(unsigned char *p, uint32_t v);

int write_full(int fd, const void *data, size_t n);
/* Blocking read of one frame; *payload is malloc'd (NULL when empty). 0 ok, -1 EOF/error/oversized. */
int read_frame(int fd, uint8_t *type, unsigned char **payload, uint32_t *len);
int send_frame(int fd, uint8_t type, const void *payload, uint32_t n);
/* ERR frame: u32 BE errno then "<strerror(err)>: <what>". */
int send_err(int fd, int err, const char *what);

/* Credentials for a request. In `once` mode the agent may add a uid base (the sandbox's host range). */
extern long long g_uid_base; /* -1 when none */
extern long long g_id_count;
int apply_creds(long long uid, long long gid);
/* Map a host id back to the sandbox's view (identity without a base). */
unsigned long long view_id(unsigned long long id);

#endif
