/* runc's --console-socket: the pty master of a container created with a
 * console is handed to whoever listens on a Unix socket (containerd's shim,
 * a test), as an SCM_RIGHTS message whose payload names the pty. The shim
 * keeps no copy: the receiver owns the console. Connecting and sending are
 * apart because `exec` must connect while it still sees the host's paths
 * (before it joins the container's mount namespace), and send later. */
#include "shim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int console_connect(const char *path) {
  struct sockaddr_un addr;
  int dirfd;
  if (unix_sockaddr(path, &addr, &dirfd) != 0) return -1;
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int e = errno;
  if (s >= 0 && connect(s, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    e = errno;
    close(s);
    s = -1;
  }
  if (dirfd >= 0) close(dirfd);
  errno = e;
  return s;
}

int console_send_fd(int sock, int master) {
  return fd_send(sock, "/dev/ptmx", 9, master);
}

int console_send(const char *path, int master) {
  int s = console_connect(path);
  if (s < 0) return -1;
  int rc = console_send_fd(s, master);
  int e = errno;
  close(s);
  errno = e;
  return rc;
}
