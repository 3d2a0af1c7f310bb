/* The container's init: clone with new namespaces, then (in the child) rootfs, mounts, devices,
 * pivot_root, hostname, rlimits, pty, user, capabilities and execve, each step synchronised with
 * the monitor over a SOCK_SEQPACKET socketpair. */
#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* The named steps of the monitor <-> init handshake. */
enum sync_step {
  SYNC_CGROUP_DONE = 1, /* monitor -> init: pid written to every cgroup.procs file */
  SYNC_LOG,             /* init -> monitor: a warn/info line for start's stderr */
  SYNC_PTY_MASTER,      /* init -> monitor: the pty master (SCM_RIGHTS) */
  SYNC_READY,           /* init -> monitor: everything done, parked before execve */
  SYNC_GO,              /* monitor -> init: execve now */
  SYNC_ERROR,           /* init -> monitor: fatal error (msg), init exits with code */
  SYNC_MOUNT_FD,        /* monitor -> init, user namespace only, before cgroup-done: a detached
                           mount (SCM_RIGHTS); code -1 the rootfs, else the index in mounts */
};

struct sync_msg {
  uint32_t step;
  int32_t code;
  char level[8];
  char msg[BERR_MAX];
};

int sync_send(int fd, enum sync_step step, int code, const char *level, const char *msg);
/* Returns bytes read (0 on EOF) or -1; *fd receives a passed fd or -1. */
ssize_t sync_recv(int fd, struct sync_msg *m, int *passed_fd);
const char *sync_step_name(uint32_t step);

struct init_stdio {
  int in, out, err; /* the init's ends; in == -1 means /dev/null */
  int close_fds[8]; /* the monitor's ends, closed in the child */
  size_t n_close;
};

/* Clones the init (returns its pid in the parent). The child never returns. */
pid_t container_clone(const struct spec *s, int sync_fd, const struct init_stdio *io);

#endif
