/* The container log in Docker's json-file format: one JSON object per line, a record per
 * newline or per 16 KiB without one. With a max size it rotates like Docker's json-file driver:
 * PATH -> PATH.1 -> PATH.2 ..., at most max_file files in all, the current one included. */
#ifndef BERTH_LOGFILE_H
#define BERTH_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define LOG_RECORD_MAX 16384

struct log_writer {
  int fd;
  const char *path;
  uint64_t size;     /* bytes in the current file */
  uint64_t max_size; /* 0: never rotate */
  uint64_t max_file; /* files kept in all (>= 1) */
  struct sbuf partial[3]; /* indexed by stream: 1 stdout, 2 stderr */
};

int logw_open(struct log_writer *w, const char *path, uint64_t max_size, uint64_t max_file);
void logw_feed(struct log_writer *w, int stream, const char *data, size_t n);
/* Writes out any partial lines (at exit). */
void logw_flush(struct log_writer *w);

#endif
