/* Runs start and exec from a sealed memfd copy of the helper (runc's cloned_binary.c idea). */
#ifndef BERTH_SELFCLONE_H
#define BERTH_SELFCLONE_H

/* Returns 0 when already running from the sealed copy; otherwise re-executes itself from one and
 * only returns (-1, berr message) on failure. */
int selfclone_ensure(char **argv);

#endif
