/* Small shared helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

void cleanup_closep(int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}

void cleanup_freep(void *p)
{
  free(*(void **)p);
}

static void sbuf_reserve(struct sbuf *b, size_t extra)
{
  if (b->len + extra + 1 <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *p = realloc(b->data, cap);
  if (p == NULL)
    abort();
  b->data = p;
  b->cap = cap;
}

void sbuf_append(struct sbuf *b, const void *p, size_t n)
{
  sbuf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  sbuf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void sbuf_json_string(struct sbuf *b, const char *p, size_t n)
{
  sbuf_reserve(b, n + 2);
  sbuf_append(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    char esc[8];
    switch (c) {
    case '"': sbuf_append(b, "\\\"", 2); break;
    case '\\': sbuf_append(b, "\\\\", 2); break;
    case '\n': sbuf_append(b, "\\n", 2); break;
    case '\r': sbuf_append(b, "\\r", 2); break;
    case '\t': sbuf_append(b, "\\t", 2); break;
    default:
      if (c < 0x20 || c == 0x7f) {
        snprintf(esc, sizeof esc, "\\u%04x", c);
        sbuf_append(b, esc, 6);
      } else {
        sbuf_append(b, &p[i], 1);
      }
    }
  }
  sbuf_append(b, "\"", 1);
}

void sbuf_consume(struct sbuf *b, size_t n)
{
  if (n >= b->len) {
    b->len = 0;
  } else {
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
  }
  if (b->data)
    b->data[b->len] = '\0';
}

void sbuf_free(struct sbuf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void cleanup_sbufp(struct sbuf *b) { sbuf_free(b); }

int write_all(int fd, const void *p, size_t n)
{
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

ssize_t read_full(int fd, void *p, size_t n)
{
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)p + got, n - got);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

int read_file(const char *path, char **out, size_t *len)
{
  cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berr(errno, "open %s", path);
  struct sbuf b = {0};
  char tmp[65536];
  for (;;) {
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      sbuf_free(&b);
      return berr(errno, "read %s", path);
    }
    if (r == 0)
      break;
    sbuf_append(&b, tmp, (size_t)r);
  }
  if (b.data == NULL)
    sbuf_append(&b, "", 0);
  *out = b.data;
  if (len)
    *len = b.len;
  return 0;
}

int write_file_atomic(const char *dir, const char *name, const char *content)
{
  char tmp[4096], final[4096];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  snprintf(final, sizeof final, "%s/%s", dir, name);
  cleanup_fd int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return berr(errno, "open %s", tmp);
  if (write_all(fd, content, strlen(content)) < 0)
    return berr(errno, "write %s", tmp);
  if (rename(tmp, final) < 0)
    return berr(errno, "rename %s to %s", tmp, final);
  return 0;
}

void rfc3339_now(char *buf, size_t size)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  char date[32];
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, size, "%s.%09ldZ", date, ts.tv_nsec);
}

int mkdir_p(const char *path, mode_t mode)
{
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return berr(ENAMETOOLONG, "mkdir %s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
      return berr(errno, "mkdir %s", buf);
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST)
    return berr(errno, "mkdir %s", buf);
  return 0;
}

int set_nonblock(int fd, bool on)
{
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0)
    return berr(errno, "fcntl F_GETFL");
  fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  if (fcntl(fd, F_SETFL, fl) < 0)
    return berr(errno, "fcntl F_SETFL");
  return 0;
}

int parse_int(const char *s, long long *out)
{
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0')
    return -1;
  *out = v;
  return 0;
}
