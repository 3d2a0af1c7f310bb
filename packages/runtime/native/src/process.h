/* The last steps before execve, shared by start's init and exec: user, cwd, capabilities,
 * no_new_privs, $PATH lookup in the container. */
#ifndef BERTH_PROCESS_H
#define BERTH_PROCESS_H

#include "spec.h"

#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

struct prepared_process {
  char exe[4096];
  char **envp;
};

/* On failure returns -1 with a berr message and *code = 126, 127 or 1. */
int process_prepare(const struct process_spec *p, struct prepared_process *out, int *code);
/* Closes fds >= first_fd_to_close (keeping keep_fd), then execve. Returns -1 with *code set on failure. */
int process_exec(const struct process_spec *p, struct prepared_process *pp, int keep_fd, int *code);

/* Like process_exec, but execs the sealed berth-init copy init_fd (kept open until then) as
 * `berth-init -- ARGS...`, which runs the process as its child. */
int process_exec_init(const struct process_spec *p, struct prepared_process *pp, int keep_fd, int init_fd, int *code);

#endif
