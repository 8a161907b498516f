/* placeholder, replaced below */
#include <stdlib.h>
#include <errno.h>
#include "agent.h"
#include "proto.h"
int fs_handle(int rfd, int wfd, uint8_t type, unsigned char *payload, uint32_t len) {
  (void)rfd; (void)type; (void)len; free(payload);
  send_err(wfd, ENOSYS, "not yet");
  return 1;
}
