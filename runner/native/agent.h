/* Handler entry points of warren-agent. */
#ifndef WARREN_AGENT_H
#define WARREN_AGENT_H

#include <stdint.h>

/* Directory of the serve socket (holds procs/); NULL in `once` mode, where detach is refused. */
extern const char *g_sock_dir;

/* Each takes ownership of payload; rfd/wfd are the client stream (same fd for a socket). */
int spawn_handle(int rfd, int wfd, unsigned char *payload, uint32_t len);
/* ATTACH to a detached process by pid (a u32 payload): relays to its procs/<pid>.sock. */
int attach_handle(int rfd, int wfd, unsigned char *payload, uint32_t len);
/* PROCS: the pids of detached processes (one DATA frame of u32s, then OK). */
int procs_handle(int wfd, unsigned char *payload);
/* DIAL: TCP to 127.0.0.1:<port> inside the sandbox, then raw bytes both ways. Serve mode only. */
int dial_handle(int fd, unsigned char *payload, uint32_t len);
int fs_handle(int rfd, int wfd, uint8_t type, unsigned char *payload, uint32_t len);
/* FS_WATCH: inotify events of a directory (or tree) until the client hangs up. Serve mode only. */
int watch_handle(int rfd, int wfd, unsigned char *payload, uint32_t len);
/* EGRESS_LISTEN / EGRESS_STREAM: the egress relay (egress.c). Serve mode only. */
int egress_listen_handle(int rfd, int wfd, unsigned char *payload, uint32_t len);
int egress_stream_handle(int rfd, int wfd, unsigned char *payload, uint32_t len);

#endif
