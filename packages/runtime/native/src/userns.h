/* --userns=remap: the init's user namespace maps (written by the monitor) and the idmapped mounts
 * the monitor makes for it in the initial user namespace: the rootfs overlay on idmapped layers
 * and the `idmap` bind mounts, handed to the init as detached mount fds. */
#ifndef BERTH_USERNS_H
#define BERTH_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"

/* Writes /proc/PID/uid_map and gid_map (setgroups stays allowed: the writer is privileged). */
int userns_write_maps(const struct spec *s, pid_t pid);
/* A detached mount of the container's root for the init to move_mount into place: an overlay
 * (berth.rootfsMount) made from idmapped layer mounts, or an idmapped clone of root.path. */
int userns_rootfs_mount(const struct spec *s, int userns_fd, int *out_fd);
/* A detached idmapped clone of SOURCE (with its submounts when RECURSIVE). */
int userns_idmapped_tree(const char *source, bool recursive, int userns_fd, int *out_fd);
/* The mount's options include OCI's "idmap" (or "ridmap"). */
bool mount_wants_idmap(const struct mount_spec *m);

/* setgroups([]), setresgid/setresuid 0: the current user namespace's root. */
int userns_become_root(void);
/* *FD: PID's user namespace when it is not ours, else -1 (archive-in/out). */
int userns_open_other(const char *pid, int *fd);
/* Joins the user namespace FD (of PID) as its root. */
int userns_join(int fd, const char *pid);

#endif
