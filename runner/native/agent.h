/* Handler entry points of warren-agent. */
#ifndef WARREN_AGENT_H
#define WARREN_AGENT_H

#include <stdint.h>

/* Directory of the serve socket (holds procs/); NULL in `once` mode, where detach is refused. */
extern const char *g_sock_dir;

/* Each takes ownership of payload; rfd/wfd are the client stream (same fd for a socket). */
int spawn_handle(int rfd, int wfd, unsigned char *payload, uint32_t len);
int fs_handle(int rfd, int wfd, uint8_t type, unsigned char *payload, uint32_t len);

#endif
