/* runc's --preserve-fds N, in the process the shim starts (the container's
 * init at create, an exec'd process): the caller's fds came as the shim's
 * 5..5+N-1, after its status pipe (3) and its control or plan pipe (4). */
#include "shim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void preserve_fds_down(int n, int errfd) {
  /* 3 and 4 must not reach the process; the preserved fds move down into
   * their place in ascending order (each target below its source, so no
   * source is overwritten before it is used). Whatever else the process
   * still uses was opened after them, above 5+N-1. */
  close(3);
  close(4);
  for (int i = 0; i < n; i++) {
    if (dup2(5 + i, 3 + i) < 0) {
      char e[128];
      int len = snprintf(e, sizeof(e), "Epreserve fd %d: dup2: %s\n", 3 + i, strerror(errno));
      if (write(errfd, e, (size_t)len) < 0) { /* the shim reports the death */ }
      _exit(127);
    }
  }
}
