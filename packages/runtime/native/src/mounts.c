/* Mount work for the container's init, modelled on crun's libcrun/linux.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "mounts.h"
#include "util.h"

static int openat2_in_root(int rootfd, const char *path, int flags)
{
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

int resolve_in_root(int rootfd, const char *path, enum resolve_create create, int *out_fd)
{
  int fd = openat2_in_root(rootfd, path, O_PATH);
  if (fd >= 0) {
    *out_fd = fd;
    return 0;
  }
  if (errno != ENOENT || create == RESOLVE_NO_CREATE)
    return berr(errno, "resolve %s in the container root", path);

  /* Walk the components, creating the missing ones under an already resolved parent. */
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return berr(ENAMETOOLONG, "resolve %s", path);
  cleanup_fd int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    return berr(errno, "dup root fd");
  char prefix[4096] = "";
  char *save = NULL;
  char *next;
  for (char *tok = strtok_r(buf, "/", &save); tok; tok = next) {
    next = strtok_r(NULL, "/", &save);
    bool leaf = next == NULL;
    strncat(prefix, "/", sizeof prefix - strlen(prefix) - 1);
    strncat(prefix, tok, sizeof prefix - strlen(prefix) - 1);
    int nfd = openat2_in_root(rootfd, prefix, O_PATH);
    if (nfd < 0 && errno == ENOENT) {
      if (leaf && create == RESOLVE_CREATE_FILE) {
        int f = openat(cur, tok, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (f < 0 && errno != EEXIST)
          return berr(errno, "create file %s in the container root", prefix);
        if (f >= 0)
          close(f);
      } else if (mkdirat(cur, tok, 0755) < 0 && errno != EEXIST) {
        return berr(errno, "mkdir %s in the container root", prefix);
      }
      nfd = openat2_in_root(rootfd, prefix, O_PATH);
    }
    if (nfd < 0)
      return berr(errno, "resolve %s in the container root", prefix);
    close(cur);
    cur = nfd;
  }
  *out_fd = cur;
  cur = -1;
  return 0;
}

static const struct {
  const char *name;
  bool clear;
  unsigned long flag;
  bool propagation;
} mount_flags[] = {
    {"ro", false, MS_RDONLY, false},           {"rw", true, MS_RDONLY, false},
    {"nosuid", false, MS_NOSUID, false},       {"suid", true, MS_NOSUID, false},
    {"nodev", false, MS_NODEV, false},         {"dev", true, MS_NODEV, false},
    {"noexec", false, MS_NOEXEC, false},       {"exec", true, MS_NOEXEC, false},
    {"sync", false, MS_SYNCHRONOUS, false},    {"async", true, MS_SYNCHRONOUS, false},
    {"dirsync", false, MS_DIRSYNC, false},     {"remount", false, MS_REMOUNT, false},
    {"mand", false, MS_MANDLOCK, false},       {"nomand", true, MS_MANDLOCK, false},
    {"atime", true, MS_NOATIME, false},        {"noatime", false, MS_NOATIME, false},
    {"diratime", true, MS_NODIRATIME, false},  {"nodiratime", false, MS_NODIRATIME, false},
    {"relatime", false, MS_RELATIME, false},   {"norelatime", true, MS_RELATIME, false},
    {"strictatime", false, MS_STRICTATIME, false}, {"nostrictatime", true, MS_STRICTATIME, false},
    {"bind", false, MS_BIND, false},           {"rbind", false, MS_BIND | MS_REC, false},
    {"private", false, MS_PRIVATE, true},      {"rprivate", false, MS_PRIVATE | MS_REC, true},
    {"shared", false, MS_SHARED, true},        {"rshared", false, MS_SHARED | MS_REC, true},
    {"slave", false, MS_SLAVE, true},          {"rslave", false, MS_SLAVE | MS_REC, true},
    {"unbindable", false, MS_UNBINDABLE, true}, {"runbindable", false, MS_UNBINDABLE | MS_REC, true},
    /* OCI's idmapped bind mounts: the monitor makes them (userns.c); no mount flag */
    {"idmap", false, 0, false},                {"ridmap", false, 0, false},
};

int mount_options_parse(const char *const *opts, unsigned long *flags, unsigned long *propagation, char **data,
                        bool *recursive_bind)
{
  struct sbuf d = {0};
  *flags = 0;
  *propagation = 0;
  *recursive_bind = false;
  for (size_t i = 0; opts && opts[i]; i++) {
    bool known = false;
    for (size_t k = 0; k < sizeof mount_flags / sizeof mount_flags[0]; k++) {
      if (strcmp(opts[i], mount_flags[k].name) != 0)
        continue;
      known = true;
      if (mount_flags[k].propagation)
        *propagation |= mount_flags[k].flag;
      else if (mount_flags[k].clear)
        *flags &= ~mount_flags[k].flag;
      else
        *flags |= mount_flags[k].flag;
      if (strcmp(opts[i], "rbind") == 0)
        *recursive_bind = true;
    }
    if (!known) {
      if (d.len)
        sbuf_append(&d, ",", 1);
      sbuf_append(&d, opts[i], strlen(opts[i]));
    }
  }
  *data = d.data; /* NULL when empty */
  return 0;
}

static bool is_bind(const struct mount_spec *m)
{
  unsigned long flags, prop;
  bool rec;
  cleanup_free char *data = NULL;
  mount_options_parse(m->options, &flags, &prop, &data, &rec);
  return strcmp(m->type, "bind") == 0 || (flags & MS_BIND);
}

/* In a user namespace sysfs can only be mounted when the network namespace belongs to it; with a
 * network namespace the agent made (bridge, container:NAME) bind the host's /sys instead, as
 * rootless runc and crun do (made read-only as the spec asks, by the caller's bind remount, which
 * must keep the flags the user namespace locked on it). */
static int bind_host_sys(const char *target, unsigned long *locked, const char *what)
{
  if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
    return berr(errno, "%s: bind the host's /sys (sysfs needs a network namespace of the user namespace)", what);
  struct statvfs sv;
  *locked = 0;
  if (statvfs("/sys", &sv) == 0) {
    if (sv.f_flag & ST_NOSUID) *locked |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) *locked |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) *locked |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) *locked |= MS_NOATIME;
    if (sv.f_flag & ST_RELATIME) *locked |= MS_RELATIME;
  }
  return 0;
}

static int do_mount(const struct mount_spec *m, int rootfd, int dstfd, int srcfd, int idmapfd, bool userns,
                    const char *what)
{
  unsigned long flags, prop;
  bool rec;
  cleanup_free char *data = NULL;
  mount_options_parse(m->options, &flags, &prop, &data, &rec);
  char target[64];
  snprintf(target, sizeof target, "/proc/self/fd/%d", dstfd);
  bool bind = strcmp(m->type, "bind") == 0 || (flags & MS_BIND);
  unsigned long locked = 0;
  if (bind && idmapfd >= 0) {
    if (syscall(SYS_move_mount, idmapfd, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return berr(errno, "%s: move the idmapped mount of %s into place", what, m->source);
  } else if (bind) {
    if (srcfd < 0)
      return berr(0, "%s: bind source %s was not opened", what, m->source);
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", srcfd);
    if (mount(source, target, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
      return berr(errno, "%s: bind mount %s", what, m->source);
  } else {
    if (mount(m->source ? m->source : m->type, target, m->type, flags, data) < 0) {
      if (!(userns && errno == EPERM && strcmp(m->type, "sysfs") == 0))
        return berr(errno, "%s: mount %s", what, m->type);
      if (bind_host_sys(target, &locked, what) < 0)
        return -1;
      bind = true;
    }
  }
  unsigned long extra = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if ((bind && extra) || prop) {
    /* dstfd still names the covered directory: reopen to reach the new mount. */
    cleanup_fd int top = -1;
    if (resolve_in_root(rootfd, m->destination, RESOLVE_NO_CREATE, &top) < 0)
      return berr_ctx("%s", what);
    snprintf(target, sizeof target, "/proc/self/fd/%d", top);
    if (bind && extra && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | extra | locked, NULL) < 0)
      return berr(errno, "%s: remount bind with options", what);
    if (prop && mount(NULL, target, NULL, prop, NULL) < 0)
      return berr(errno, "%s: set propagation", what);
  }
  return 0;
}

int mount_fds_init(const struct spec *s, struct mount_fds *mf)
{
  mf->rootfs = -1;
  mf->idmapped = calloc(s->n_mounts + 1, sizeof(int));
  mf->sources = calloc(s->n_mounts + 1, sizeof(int));
  if (mf->idmapped == NULL || mf->sources == NULL)
    return berr(ENOMEM, "mount fds");
  for (size_t i = 0; i < s->n_mounts; i++)
    mf->idmapped[i] = mf->sources[i] = -1;
  return 0;
}

int mounts_open_sources(const struct spec *s, struct mount_fds *mf)
{
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct mount_spec *m = &s->mounts[i];
    if (mf->idmapped[i] >= 0 || !is_bind(m))
      continue;
    if (m->source == NULL)
      return berr(0, "mount %s: a bind mount needs a source", m->destination);
    mf->sources[i] = open(m->source, O_PATH | O_CLOEXEC);
    if (mf->sources[i] < 0)
      return berr(errno, "mount %s: open bind source %s", m->destination, m->source);
  }
  return 0;
}

int mounts_prepare_rootfs(const struct spec *s, const struct mount_fds *mf, int *rootfd)
{
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return berr(errno, "make / rprivate");
  if (mf->rootfs >= 0) {
    if (syscall(SYS_move_mount, mf->rootfs, "", AT_FDCWD, s->root_path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
      return berr(errno, "move the idmapped rootfs onto %s", s->root_path);
  } else if (s->has_rootfs_mount) {
    unsigned long flags, prop;
    bool rec;
    cleanup_free char *data = NULL;
    mount_options_parse(s->rootfs_mount.options, &flags, &prop, &data, &rec);
    if (mount(s->rootfs_mount.source, s->root_path, s->rootfs_mount.type, flags, data) < 0)
      return berr(errno, "mount rootfs (%s) on %s", s->rootfs_mount.type, s->root_path);
  } else if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0) {
    return berr(errno, "bind mount rootfs %s", s->root_path);
  }
  *rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*rootfd < 0)
    return berr(errno, "open rootfs %s", s->root_path);
  return 0;
}

int mounts_apply(const struct spec *s, int rootfd, const struct mount_fds *mf)
{
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct mount_spec *m = &s->mounts[i];
    enum resolve_create kind = RESOLVE_CREATE_DIR;
    int src = mf->idmapped[i] >= 0 ? mf->idmapped[i] : mf->sources[i];
    if (src >= 0) {
      struct stat st;
      if (fstat(src, &st) < 0)
        return berr(errno, "mount %s: stat bind source %s", m->destination, m->source);
      if (!S_ISDIR(st.st_mode))
        kind = RESOLVE_CREATE_FILE;
    }
    /* /proc, /sys and /dev must be the image's own directories: a symlink there would move the
     * kernel filesystems (and the masked paths that cover them) elsewhere (CVE-2019-19921). */
    if (strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0 || strcmp(m->destination, "/dev") == 0 ||
        strncmp(m->destination, "/dev/", 5) == 0) {
      struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
      int probe = (int)syscall(SYS_openat2, rootfd, m->destination, &how, sizeof how);
      if (probe < 0 && errno == ELOOP)
        return berr(0, "mount %s: the image has a symlink on that path: refusing to mount %s through it",
                    m->destination, m->type);
      if (probe >= 0)
        close(probe);
    }
    cleanup_fd int dst = -1;
    if (resolve_in_root(rootfd, m->destination, kind, &dst) < 0)
      return berr_ctx("mount %s", m->destination);
    char what[4200];
    snprintf(what, sizeof what, "mount %s", m->destination);
    if (do_mount(m, rootfd, dst, mf->sources[i], mf->idmapped[i], s->userns, what) < 0)
      return -1;
  }
  return 0;
}

int mounts_pivot_root(int rootfd)
{
  if (fchdir(rootfd) < 0)
    return berr(errno, "chdir to rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return berr(errno, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0)
    return berr(errno, "unmount the old root");
  if (chdir("/") < 0)
    return berr(errno, "chdir /");
  return 0;
}

static unsigned long locked_flags(const char *path)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs(path, &sv) < 0)
    return 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

int mounts_finish(const struct spec *s)
{
  for (size_t i = 0; s->masked_paths[i]; i++) {
    const char *p = s->masked_paths[i];
    cleanup_fd int fd = open(p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT)
        continue;
      return berr(errno, "mask %s: open", p);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
      return berr(errno, "mask %s: stat", p);
    char target[64];
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    if (S_ISDIR(st.st_mode)) {
      if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0") < 0)
        return berr(errno, "mask %s: mount read-only tmpfs", p);
    } else if (mount("/dev/null", target, NULL, MS_BIND, NULL) < 0) {
      return berr(errno, "mask %s: bind /dev/null", p);
    }
  }
  for (size_t i = 0; s->readonly_paths[i]; i++) {
    const char *p = s->readonly_paths[i];
    cleanup_fd int fd = open(p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT)
        continue;
      return berr(errno, "read-only path %s: open", p);
    }
    char target[64];
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
      return berr(errno, "read-only path %s: bind", p);
    if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | locked_flags(p), NULL) < 0)
      return berr(errno, "read-only path %s: remount read-only", p);
  }
  if (s->root_readonly) {
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), NULL) < 0)
      return berr(errno, "remount / read-only");
  }
  return 0;
}
