/* runc's --console-socket: the pty master of a container created with a
 * console is handed to whoever listens on a Unix socket (containerd's shim,
 * a test), as an SCM_RIGHTS message whose payload names the pty. The shim
 * keeps no copy: the receiver owns the console. */
#include "shim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int console_send(const char *path, int master) {
  struct sockaddr_un addr;
  int dirfd;
  if (unix_sockaddr(path, &addr, &dirfd) != 0) return -1;
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int rc = -1, e = 0;
  if (s >= 0 && connect(s, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
    char name[] = "/dev/ptmx";
    struct iovec iov = {name, sizeof(name) - 1};
    union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } cm;
    memset(&cm, 0, sizeof(cm));
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm, .msg_controllen = sizeof(cm)};
    struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &master, sizeof(int));
    if (sendmsg(s, &mh, 0) >= 0) rc = 0;
  }
  e = errno;
  if (s >= 0) close(s);
  if (dirfd >= 0) close(dirfd);
  errno = e;
  return rc;
}
