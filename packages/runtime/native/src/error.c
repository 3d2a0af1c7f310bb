/* Error message buffer and JSON log lines. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "util.h"

static char msgbuf[BERR_MAX];

const char *berr_msg(void) { return msgbuf; }

int berr(int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msgbuf, sizeof msgbuf, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  if (errnum != 0 && (size_t)n < sizeof msgbuf) {
    char e[256];
    snprintf(e, sizeof e, "%s", strerror(errnum));
    e[0] = (char)tolower((unsigned char)e[0]);
    snprintf(msgbuf + n, sizeof msgbuf - (size_t)n, ": %s", e);
  }
  return -1;
}

int berr_ctx(const char *fmt, ...)
{
  char prefix[BERR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix - 2, fmt, ap);
  va_end(ap);
  strcat(prefix, ": ");
  size_t pl = strlen(prefix), ml = strlen(msgbuf);
  if (pl + ml >= sizeof msgbuf)
    ml = sizeof msgbuf - pl - 1;
  memmove(msgbuf + pl, msgbuf, ml);
  memcpy(msgbuf, prefix, pl);
  msgbuf[pl + ml] = '\0';
  return -1;
}

void log_format(char *buf, size_t size, const char *level, const char *msg)
{
  struct sbuf sb = {0};
  sbuf_printf(&sb, "{\"level\":\"%s\",\"msg\":", level);
  sbuf_json_string(&sb, msg, strlen(msg));
  sbuf_append(&sb, "}", 1);
  snprintf(buf, size, "%s", sb.data ? sb.data : "");
  sbuf_free(&sb);
}

void log_line(int fd, const char *level, const char *fmt, ...)
{
  char msg[BERR_MAX], line[BERR_MAX * 2];
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log_format(line, sizeof line - 1, level, msg);
  size_t n = strlen(line);
  line[n++] = '\n';
  (void)write_all(fd, line, n);
  errno = saved;
}
