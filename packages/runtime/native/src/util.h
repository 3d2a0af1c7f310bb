/* Small shared helpers: cleanup attributes, full reads/writes, a growable buffer, time stamps. */
#ifndef BERTH_UTIL_H
#define BERTH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void cleanup_closep(int *fd);
void cleanup_freep(void *p);
#define cleanup_fd __attribute__((cleanup(cleanup_closep)))
#define cleanup_free __attribute__((cleanup(cleanup_freep)))

struct sbuf {
  char *data;
  size_t len, cap;
};
void sbuf_append(struct sbuf *b, const void *p, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends p as a quoted JSON string (control bytes escaped, other bytes as they are). */
void sbuf_json_string(struct sbuf *b, const char *p, size_t n);
/* Drops the first n bytes. */
void sbuf_consume(struct sbuf *b, size_t n);
void sbuf_free(struct sbuf *b);
void cleanup_sbufp(struct sbuf *b);
#define cleanup_sbuf __attribute__((cleanup(cleanup_sbufp)))

/* write(2)/read(2) until done; retry on EINTR. Return 0 / bytes read, or -1 with errno set. */
int write_all(int fd, const void *p, size_t n);
ssize_t read_full(int fd, void *p, size_t n);
/* Reads a whole file (NUL-terminated) into *out; -1 with a berr message on failure. */
int read_file(const char *path, char **out, size_t *len);
/* Writes content to DIR/NAME via a temp file and rename(2). */
int write_file_atomic(const char *dir, const char *name, const char *content);
/* RFC 3339 UTC time with nanoseconds ("2026-12-03T18:00:00.123456789Z"); buf >= 40 bytes. */
void rfc3339_now(char *buf, size_t size);
/* Creates DIR and its parents (mode 0700 for new ones). */
int mkdir_p(const char *path, mode_t mode);
int set_nonblock(int fd, bool on);
int parse_int(const char *s, long long *out);

#endif
