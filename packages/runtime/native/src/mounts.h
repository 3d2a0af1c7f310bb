/* Rootfs mount, the config's mounts (every destination resolved inside the root with
 * openat2(RESOLVE_IN_ROOT) and mounted through /proc/self/fd/N), pivot_root, masked and
 * read-only paths. */
#ifndef BERTH_MOUNTS_H
#define BERTH_MOUNTS_H

#include "spec.h"

enum resolve_create { RESOLVE_NO_CREATE, RESOLVE_CREATE_DIR, RESOLVE_CREATE_FILE };

/* An O_PATH fd of PATH inside the root ROOTFD, creating missing dirs (and the leaf per `create`). */
int resolve_in_root(int rootfd, const char *path, enum resolve_create create, int *out_fd);
/* Splits mount options into flags, propagation flags and a data string (caller frees *data). */
int mount_options_parse(const char *const *opts, unsigned long *flags, unsigned long *propagation, char **data,
                        bool *recursive_bind);
/* Mount sources the init holds as fds: the bind sources, opened while it is still host root (so
 * a user namespace's root, which is nobody on the host, needs no access to their directories),
 * and the detached mounts the monitor made for a user namespace (rootfs, `idmap` binds). */
struct mount_fds {
  int rootfs;     /* -1: mount berth.rootfsMount (or bind root.path) here */
  int *idmapped;  /* per mount, -1 when none */
  int *sources;   /* per mount: the bind source (O_PATH), -1 when not a bind */
};
int mount_fds_init(const struct spec *s, struct mount_fds *mf);
int mounts_open_sources(const struct spec *s, struct mount_fds *mf);
/* Makes / rprivate and mounts (or bind-mounts, or moves the monitor's detached mount of) the rootfs
 * on root.path; returns its fd in *rootfd. */
int mounts_prepare_rootfs(const struct spec *s, const struct mount_fds *mf, int *rootfd);
int mounts_apply(const struct spec *s, int rootfd, const struct mount_fds *mf);
int mounts_pivot_root(int rootfd);
/* After pivot_root: maskedPaths, readonlyPaths, root.readonly. */
int mounts_finish(const struct spec *s);

#endif
