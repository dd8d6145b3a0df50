/* The address of a Unix socket at a path that may be longer than sun_path
 * (108 bytes): then a short /proc/self/fd/N/NAME path through an O_PATH fd on
 * its directory, which the caller closes once bound or connected. The helper
 * connects to such sockets the same way (helper/runtime/unix-socket.ts). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int unix_sockaddr(const char *path, struct sockaddr_un *addr, int *dirfd) {
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  *dirfd = -1;
  if (strlen(path) < sizeof(addr->sun_path)) {
    strcpy(addr->sun_path, path);
    return 0;
  }
  char dir[4096];
  snprintf(dir, sizeof(dir), "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash) { errno = ENAMETOOLONG; return -1; }
  *slash = '\0';
  *dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*dirfd < 0) return -1;
  if (snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", *dirfd, slash + 1) >= (int)sizeof(addr->sun_path)) {
    close(*dirfd);
    *dirfd = -1;
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}
