/* json-file log writing. The monitor owns the file, so nothing is lost while the agent is down. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "logfile.h"

/* PATH for n == 0, else PATH.n */
static void rotated_name(char *buf, size_t size, const char *path, uint64_t n)
{
  if (n == 0)
    snprintf(buf, size, "%s", path);
  else
    snprintf(buf, size, "%s.%llu", path, (unsigned long long)n);
}

int logw_open(struct log_writer *w, const char *path, uint64_t max_size, uint64_t max_file)
{
  memset(w, 0, sizeof *w);
  w->path = path;
  w->max_size = max_size;
  w->max_file = max_file ? max_file : 1;
  w->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (w->fd < 0)
    return berr(errno, "open log file %s", path);
  struct stat st;
  if (fstat(w->fd, &st) == 0)
    w->size = (uint64_t)st.st_size;
  if (max_size > 0) {
    /* files beyond max_file (none unless a bug or a hand-made file): readers would take them as
     * the oldest part of the log, so they go */
    char name[PATH_MAX];
    for (uint64_t n = w->max_file; n < w->max_file + 1000; n++) {
      rotated_name(name, sizeof name, path, n);
      if (unlink(name) < 0 && errno == ENOENT)
        break;
    }
  }
  return 0;
}

/* PATH.(k-1) -> PATH.k for k = max_file-1 .. 1 (the oldest is replaced), PATH -> PATH.1, then a
 * fresh PATH (with max_file 1, PATH.1 is removed once the fresh PATH is open). Readers hold open
 * descriptors, so a rename never cuts a read short; a reader that follows sees PATH change inode
 * and moves on. On any failure the records keep going to a file readers still find. */
static void rotate(struct log_writer *w)
{
  char from[PATH_MAX], to[PATH_MAX];
  uint64_t top = w->max_file > 1 ? w->max_file - 1 : 1;
  for (uint64_t k = top; k >= 1; k--) {
    rotated_name(from, sizeof from, w->path, k - 1);
    rotated_name(to, sizeof to, w->path, k);
    if (rename(from, to) < 0 && (errno != ENOENT || k == 1))
      return;
  }
  int fd = open(w->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    return; /* keeps writing to PATH.1, which readers read: nothing is lost */
  close(w->fd);
  w->fd = fd;
  w->size = 0;
  if (w->max_file <= 1) {
    rotated_name(to, sizeof to, w->path, 1);
    (void)unlink(to);
  }
}

static void write_record(struct log_writer *w, int stream, const char *p, size_t n)
{
  char ts[64];
  rfc3339_now(ts, sizeof ts);
  struct sbuf b = {0};
  sbuf_append(&b, "{\"log\":", 7);
  sbuf_json_string(&b, p, n);
  sbuf_printf(&b, ",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream == 2 ? "stderr" : "stdout", ts);
  if (w->max_size > 0 && w->size > 0 && w->size + b.len > w->max_size)
    rotate(w);
  /* A failed write cannot be reported anywhere useful; the data still reaches attach clients. */
  if (write_all(w->fd, b.data, b.len) == 0)
    w->size += b.len;
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
