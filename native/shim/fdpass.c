/* A file descriptor passed over a Unix socket (SCM_RIGHTS), with a short
 * payload: the console's pty master (to the shim, or to runc's
 * --console-socket), the overlay a user-namespaced container gets from the
 * shim. One sender and one line reader for all of them. */
#include "shim.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int fd_send(int sock, const char *payload, size_t len, int fd) {
  struct iovec iov = {(void *)payload, len};
  union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } cm;
  memset(&cm, 0, sizeof(cm));
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    mh.msg_control = &cm;
    mh.msg_controllen = sizeof(cm);
    struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof(int));
  }
  /* the peer may be gone (a container without a monitor): EPIPE, not SIGPIPE */
  ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
  if (n >= 0 && (size_t)n != len) errno = EIO;
  return n >= 0 && (size_t)n == len ? 0 : -1;
}

/* One byte a call, so nothing after the '\n' is taken from the stream: the
 * next line may come with a descriptor of its own. */
ssize_t fd_recv_line(int sock, char *buf, size_t len, int *fd) {
  size_t o = 0;
  while (o < len - 1) {
    char c;
    struct iovec iov = {&c, 1};
    union { struct cmsghdr h; char space[CMSG_SPACE(sizeof(int))]; } cm;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm, .msg_controllen = sizeof(cm)};
    ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
    if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS && fd) memcpy(fd, CMSG_DATA(h), sizeof(int));
    if (c == '\n') break;
    buf[o++] = c;
  }
  buf[o] = '\0';
  return (ssize_t)o;
}
