/* The attach socket of a container created with a console (-t) or an open
 * stdin (-i): clients (the helper, relaying `nscope run -it` / attach) get
 * the container's output from the moment they connect — raw with a tty,
 * else in Docker's 8-byte-header frames — and what they send goes to the
 * pty or the container's stdin. A control fifo carries window sizes. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* A path longer than sun_path is bound through its directory (sockaddr.c). */
int attach_listen(struct attach *a, const char *path) {
  struct sockaddr_un addr;
  int dirfd;
  if (unix_sockaddr(path, &addr, &dirfd) != 0) return -1;
  a->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (a->listen_fd < 0) return -1;
  unlink(path);
  mode_t old = umask(0177);
  int rc = bind(a->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
  umask(old);
  if (dirfd >= 0) close(dirfd);
  if (rc != 0 || listen(a->listen_fd, MAX_ATTACH) != 0) return -1;
  return 0;
}

void attach_accept(struct attach *a) {
  int c = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) return;
  for (int i = 0; i < MAX_ATTACH; i++) if (a->clients[i] < 0) { a->clients[i] = c; a->client_in[i] = 1; return; }
  close(c); /* full */
}

static int write_all_fd(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) { struct pollfd pf = {fd, POLLOUT, 0}; if (poll(&pf, 1, 2000) <= 0) return -1; continue; }
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

void attach_output(struct attach *a, int stream, const char *data, size_t len) {
  unsigned char hdr[8] = {(unsigned char)stream, 0, 0, 0, (unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  for (int i = 0; i < MAX_ATTACH; i++) {
    if (a->clients[i] < 0) continue;
    if ((!a->tty && write_all_fd(a->clients[i], (const char *)hdr, 8) != 0) || write_all_fd(a->clients[i], data, len) != 0) {
      close(a->clients[i]);
      a->clients[i] = -1;
    }
  }
}

void attach_input(struct attach *a, int i) {
  char buf[16384];
  ssize_t n = read(a->clients[i], buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    /* the client closed its side: stdin ends (like docker's StdinOnce); it still gets the output */
    a->client_in[i] = 0;
    if (!a->tty && a->input_fd >= 0) { close(a->input_fd); a->input_fd = -1; }
    return;
  }
  if (a->input_fd >= 0 && write_all_fd(a->input_fd, buf, (size_t)n) != 0 && !a->tty) { close(a->input_fd); a->input_fd = -1; }
}

void attach_control(struct attach *a) {
  char buf[256];
  ssize_t n = read(a->ctl_fd, buf, sizeof(buf) - 1);
  if (n <= 0) return;
  buf[n] = '\0';
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    unsigned rows, cols;
    if (sscanf(line, "r %u %u", &rows, &cols) == 2 && a->pty_fd >= 0) {
      struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
      ioctl(a->pty_fd, TIOCSWINSZ, &ws);
    }
  }
}

void attach_close_all(struct attach *a) {
  for (int i = 0; i < MAX_ATTACH; i++) if (a->clients[i] >= 0) { close(a->clients[i]); a->clients[i] = -1; }
}
