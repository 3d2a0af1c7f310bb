/* Error reporting: one error message per failing operation, built with context as it travels up,
 * printed as a JSON log line ({"level":"error","msg":...}) by whoever ends the process. */
#ifndef BERTH_ERROR_H
#define BERTH_ERROR_H

#include <stddef.h>

#define BERR_MAX 2048

/* The current error message (valid after a function returned -1). */
const char *berr_msg(void);
/* Sets the error message to "FMT: strerror(errnum)" (or just FMT when errnum == 0); returns -1. */
int berr(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the current message with "FMT: "; returns -1. */
int berr_ctx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes {"level":LEVEL,"msg":MSG} and a newline to fd. */
void log_line(int fd, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Formats a JSON log line into buf (without the newline). */
void log_format(char *buf, size_t size, const char *level, const char *msg);

#endif
