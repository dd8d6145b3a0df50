/* The container's stdout/stderr as Docker's json-file log: one JSON object
 * per line, {"log":"...","stream":"stdout","time":"RFC3339Nano"}. Lines are
 * split at '\n' (kept in "log", as Docker does); a line longer than the
 * buffer is written in pieces. Invalid UTF-8 becomes U+FFFD so every line
 * stays valid JSON. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct { int fd; const char *path; long long max, size; int files; } rot = {.fd = -1};

void log_rotation(int fd, const char *path, long long max, int files) {
  struct stat st;
  rot.fd = fd;
  rot.path = path;
  rot.max = max;
  rot.files = files;
  rot.size = fstat(fd, &st) == 0 ? (long long)st.st_size : 0;
}

/* What fails here is not the container's problem: its output goes on into the file it has. */
static void rotate(void) {
  if (rot.files <= 1) {
    if (ftruncate(rot.fd, 0) == 0) rot.size = 0;
    return;
  }
  char from[4200], to[4200];
  for (int i = rot.files - 1; i >= 1; i--) {
    if (i == 1) snprintf(from, sizeof(from), "%s", rot.path);
    else snprintf(from, sizeof(from), "%s.%d", rot.path, i - 1);
    snprintf(to, sizeof(to), "%s.%d", rot.path, i);
    if (rename(from, to) != 0 && errno != ENOENT) return;
  }
  int fd = open(rot.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_TRUNC, 0640);
  if (fd < 0) return;
  if (dup3(fd, rot.fd, O_CLOEXEC) >= 0) rot.size = 0;
  close(fd);
}

void iso_time(char *out, size_t len) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, len - n, ".%09ldZ", ts.tv_nsec);
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  if (s[0] < 0x80) return 1;
  size_t need;
  unsigned min;
  if ((s[0] & 0xE0) == 0xC0) { need = 2; min = 0x80; }
  else if ((s[0] & 0xF0) == 0xE0) { need = 3; min = 0x800; }
  else if ((s[0] & 0xF8) == 0xF0) { need = 4; min = 0x10000; }
  else return 0;
  if (n < need) return 0;
  unsigned cp = s[0] & (0x7F >> need);
  for (size_t i = 1; i < need; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return need;
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return; }
    p += w;
    n -= w;
  }
}

static void emit(int logfd, const char *stream, const char *data, size_t len) {
  /* worst case: every byte becomes \u00XX (6 bytes) */
  static char out[16384 * 6 + 256];
  size_t o = 0;
  o += (size_t)snprintf(out, sizeof(out), "{\"log\":\"");
  const unsigned char *s = (const unsigned char *)data;
  for (size_t i = 0; i < len;) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; i++; }
    else if (c == '\n') { out[o++] = '\\'; out[o++] = 'n'; i++; }
    else if (c == '\r') { out[o++] = '\\'; out[o++] = 'r'; i++; }
    else if (c == '\t') { out[o++] = '\\'; out[o++] = 't'; i++; }
    else if (c < 0x20 || c == 0x7F) { o += (size_t)sprintf(out + o, "\\u%04x", c); i++; }
    else if (c < 0x80) { out[o++] = (char)c; i++; }
    else {
      size_t l = utf8_len(s + i, len - i);
      if (l == 0) { memcpy(out + o, "\\ufffd", 6); o += 6; i++; }
      else { memcpy(out + o, s + i, l); o += l; i += l; }
    }
  }
  char ts[64];
  iso_time(ts, sizeof(ts));
  o += (size_t)snprintf(out + o, sizeof(out) - o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, ts);
  if (logfd == rot.fd && rot.max > 0) {
    if (rot.size > 0 && rot.size + (long long)o > rot.max) rotate();
    rot.size += (long long)o;
  }
  write_all(logfd, out, o);
}

/* Logs every complete line in the buffer; with flush, the partial rest too. */
static void emit_lines(struct logstream *s, int logfd, int flush) {
  size_t start = 0;
  for (size_t i = 0; i < s->len; i++) {
    if (s->buf[i] == '\n') { emit(logfd, s->name, s->buf + start, i + 1 - start); start = i + 1; }
  }
  if ((flush || s->len == sizeof(s->buf)) && start < s->len) { emit(logfd, s->name, s->buf + start, s->len - start); start = s->len; }
  memmove(s->buf, s->buf + start, s->len - start);
  s->len -= start;
}

/* Adds output of the container to its log; complete lines are written at
 * once, a partial line waits for its end (or for flush). */
void log_feed(struct logstream *s, int logfd, const char *data, size_t len, int flush) {
  while (len > 0) {
    size_t n = sizeof(s->buf) - s->len;
    if (n > len) n = len;
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    data += n;
    len -= n;
    emit_lines(s, logfd, 0);
  }
  if (flush) emit_lines(s, logfd, 1);
}
