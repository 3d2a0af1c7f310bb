/* The container log in Docker's json-file format: one JSON object per line, a record per
 * newline or per 16 KiB without one. */
#ifndef BERTH_LOGFILE_H
#define BERTH_LOGFILE_H

#include <stddef.h>

#include "util.h"

#define LOG_RECORD_MAX 16384

struct log_writer {
  int fd;
  struct sbuf partial[3]; /* indexed by stream: 1 stdout, 2 stderr */
};

int logw_open(struct log_writer *w, const char *path);
void logw_feed(struct log_writer *w, int stream, const char *data, size_t n);
/* Writes out any partial lines (at exit). */
void logw_flush(struct log_writer *w);

#endif
