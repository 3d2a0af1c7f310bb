/* json-file log writing. The monitor owns the file, so nothing is lost while the agent is down. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "logfile.h"

int logw_open(struct log_writer *w, const char *path)
{
  memset(w, 0, sizeof *w);
  w->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (w->fd < 0)
    return berr(errno, "open log file %s", path);
  return 0;
}

static void write_record(struct log_writer *w, int stream, const char *p, size_t n)
{
  char ts[64];
  rfc3339_now(ts, sizeof ts);
  struct sbuf b = {0};
  sbuf_append(&b, "{\"log\":", 7);
  sbuf_json_string(&b, p, n);
  sbuf_printf(&b, ",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream == 2 ? "stderr" : "stdout", ts);
  /* A failed write cannot be reported anywhere useful; the data still reaches attach clients. */
  (void)write_all(w->fd, b.data, b.len);
  sbuf_free(&b);
}

void logw_feed(struct log_writer *w, int stream, const char *data, size_t n)
{
  struct sbuf *pb = &w->partial[stream == 2 ? 2 : 1];
  while (n > 0) {
    const char *nl = memchr(data, '\n', n);
    size_t take = nl ? (size_t)(nl - data) + 1 : n;
    size_t room = LOG_RECORD_MAX - pb->len;
    if (take > room)
      take = room;
    sbuf_append(pb, data, take);
    data += take;
    n -= take;
    bool complete = pb->len > 0 && pb->data[pb->len - 1] == '\n';
    if (complete || pb->len >= LOG_RECORD_MAX) {
      write_record(w, stream, pb->data, pb->len);
      pb->len = 0;
    }
  }
}

void logw_flush(struct log_writer *w)
{
  for (int s = 1; s <= 2; s++) {
    if (w->partial[s].len) {
      write_record(w, s, w->partial[s].data, w->partial[s].len);
      w->partial[s].len = 0;
    }
  }
}
