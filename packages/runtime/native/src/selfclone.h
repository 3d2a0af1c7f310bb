/* Runs start and exec from a sealed memfd copy of the helper (runc's cloned_binary.c idea). */
#ifndef BERTH_SELFCLONE_H
#define BERTH_SELFCLONE_H

/* Returns 0 when already running from the sealed copy; otherwise re-executes itself from one and
 * only returns (-1, berr message) on failure. */
int selfclone_ensure(char **argv);

/* A read-only copy of the file at path in a sealed memfd (F_SEAL_SEAL|SHRINK|GROW|WRITE, cloexec):
 * nothing can write it, not even root. Returns the fd, or -1 with a berr message. */
int sealed_copy(const char *path, const char *name);

#endif
