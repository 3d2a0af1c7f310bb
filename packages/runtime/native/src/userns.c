/* --userns=remap, the monitor's half: maps and idmapped mounts (see userns.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "mounts.h"
#include "userns.h"
#include "util.h"

static int write_map(pid_t pid, const char *file, const struct id_mapping *maps, size_t n)
{
  char path[64], buf[512];
  size_t len = 0;
  snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%llu %llu %llu\n", (unsigned long long)maps[i].container_id,
                            (unsigned long long)maps[i].host_id, (unsigned long long)maps[i].size);
  cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return berr(errno, "user namespace: open %s", path);
  if (write(fd, buf, len) != (ssize_t)len)
    return berr(errno, "user namespace: write %s", path);
  return 0;
}

int userns_write_maps(const struct spec *s, pid_t pid)
{
  if (write_map(pid, "uid_map", s->uid_maps, s->n_uid_maps) < 0 ||
      write_map(pid, "gid_map", s->gid_maps, s->n_gid_maps) < 0)
    return -1;
  return 0;
}

bool mount_wants_idmap(const struct mount_spec *m)
{
  for (size_t i = 0; m->options && m->options[i]; i++)
    if (strcmp(m->options[i], "idmap") == 0 || strcmp(m->options[i], "ridmap") == 0)
      return true;
  return false;
}

int userns_idmapped_tree(const char *source, bool recursive, int userns_fd, int *out_fd)
{
  cleanup_fd int fd = (int)syscall(SYS_open_tree, AT_FDCWD, source,
                                   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (fd < 0)
    return berr(errno, "idmapped mount of %s: open_tree", source);
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return berr(errno, "idmapped mount of %s: mount_setattr MOUNT_ATTR_IDMAP", source);
  *out_fd = fd;
  fd = -1;
  return 0;
}

static int host_id_of_root(const struct id_mapping *maps, size_t n, const char *what, uint64_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (maps[i].container_id == 0) {
      *out = maps[i].host_id;
      return 0;
    }
  return berr(0, "user namespace: container %s 0 is not mapped", what);
}

/* The overlay's creator credentials are the caller's at FSCONFIG_CMD_CREATE. Its work dir is made
 * with them through the idmapped upper mount, where host root (0) has no id (EOVERFLOW): create
 * it as the container's root (fsuid/fsgid = the mapped root), with the capabilities raised again
 * (a non-zero fsuid clears the file capabilities from the effective set). */
struct saved_creds {
  int fsuid, fsgid;
  struct __user_cap_data_struct caps[2];
};

static int become_mapped_root(const struct spec *s, struct saved_creds *sv)
{
  uint64_t uid = 0, gid = 0;
  if (host_id_of_root(s->uid_maps, s->n_uid_maps, "uid", &uid) < 0 ||
      host_id_of_root(s->gid_maps, s->n_gid_maps, "gid", &gid) < 0)
    return -1;
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  if (syscall(SYS_capget, &h, sv->caps) < 0)
    return berr(errno, "capget");
  sv->fsgid = setfsgid((gid_t)gid);
  sv->fsuid = setfsuid((uid_t)uid);
  struct __user_cap_data_struct raised[2];
  memcpy(raised, sv->caps, sizeof raised);
  raised[0].effective = raised[0].permitted;
  raised[1].effective = raised[1].permitted;
  if (syscall(SYS_capset, &h, raised) < 0)
    return berr(errno, "capset");
  return 0;
}

static void restore_creds(struct saved_creds *sv)
{
  setfsuid((uid_t)sv->fsuid);
  setfsgid((gid_t)sv->fsgid);
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  syscall(SYS_capset, &h, sv->caps);
}

/* fsconfig failed: the kernel's own reason is in the context's message log. */
static int fs_err(int fsfd, int e, const char *what)
{
  char buf[512] = "";
  ssize_t n = read(fsfd, buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return berr(e, "rootfs overlay: %s (%s)", what, buf);
  }
  return berr(e, "rootfs overlay: %s", what);
}

static int set_layer_fd(int fsfd, const char *key, int fd, const char *path)
{
  if (syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FD, key, NULL, fd) < 0) {
    char what[4200];
    snprintf(what, sizeof what, "fsconfig %s %s", key, path);
    return fs_err(fsfd, errno, what);
  }
  return 0;
}

static int split_parent(const char *path, char *parent, size_t size, const char **base)
{
  if (snprintf(parent, size, "%s", path) >= (int)size)
    return berr(ENAMETOOLONG, "rootfs overlay: %s", path);
  char *slash = strrchr(parent, '/');
  if (slash == NULL || slash[1] == '\0')
    return berr(0, "rootfs overlay: %s must be an absolute path to a directory", path);
  *base = path + (slash - parent) + 1;
  if (slash == parent)
    slash[1] = '\0';
  else
    *slash = '\0';
  return 0;
}

static int overlay_mount(const struct spec *s, int userns_fd, int *out_fd)
{
  unsigned long flags, prop;
  bool rec;
  cleanup_free char *data = NULL;
  mount_options_parse(s->rootfs_mount.options, &flags, &prop, &data, &rec);
  const char *upper = NULL, *work = NULL;
  cleanup_free char *lower = NULL;
  struct sbuf rest = {0};
  for (char *save = NULL, *o = data ? strtok_r(data, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
    if (strncmp(o, "lowerdir=", 9) == 0)
      lower = strdup(o + 9);
    else if (strncmp(o, "upperdir=", 9) == 0)
      upper = o + 9;
    else if (strncmp(o, "workdir=", 8) == 0)
      work = o + 8;
    else {
      if (rest.len)
        sbuf_append(&rest, ",", 1);
      sbuf_append(&rest, o, strlen(o));
    }
  }
  cleanup_free char *others = rest.data;
  if (lower == NULL)
    return berr(0, "rootfs overlay: no lowerdir in berth.rootfsMount");
  if ((upper == NULL) != (work == NULL))
    return berr(0, "rootfs overlay: upperdir and workdir go together");

  /* Every layer its own idmapped mount; upper and work must share one, so their parent is cloned. */
  int layer_fds[512];
  size_t n_layers = 0;
  int rc = -1;
  int up_mnt = -1, up_fd = -1, work_fd = -1, fsfd = -1;
  struct saved_creds sv;
  bool switched = false;
  for (char *save = NULL, *l = strtok_r(lower, ":", &save); l; l = strtok_r(NULL, ":", &save)) {
    if (n_layers == sizeof layer_fds / sizeof layer_fds[0]) {
      berr(0, "rootfs overlay: too many layers");
      goto out;
    }
    if (userns_idmapped_tree(l, false, userns_fd, &layer_fds[n_layers]) < 0)
      goto out;
    n_layers++;
  }
  if (upper) {
    char up_parent[4096], work_parent[4096];
    const char *up_base, *work_base;
    if (split_parent(upper, up_parent, sizeof up_parent, &up_base) < 0 ||
        split_parent(work, work_parent, sizeof work_parent, &work_base) < 0)
      goto out;
    if (strcmp(up_parent, work_parent) != 0) {
      berr(0, "rootfs overlay: upperdir and workdir must be in the same directory for an idmapped mount");
      goto out;
    }
    if (userns_idmapped_tree(up_parent, false, userns_fd, &up_mnt) < 0)
      goto out;
    up_fd = openat(up_mnt, up_base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    work_fd = openat(up_mnt, work_base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (up_fd < 0 || work_fd < 0) {
      berr(errno, "rootfs overlay: open %s", up_fd < 0 ? upper : work);
      goto out;
    }
  }

  if (become_mapped_root(s, &sv) < 0)
    goto out;
  switched = true;
  fsfd = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fsfd < 0) {
    berr(errno, "rootfs overlay: fsopen overlay");
    goto out;
  }
  for (size_t i = 0; i < n_layers; i++)
    if (set_layer_fd(fsfd, "lowerdir+", layer_fds[i], "(layer)") < 0)
      goto out;
  if (upper && (set_layer_fd(fsfd, "upperdir", up_fd, upper) < 0 || set_layer_fd(fsfd, "workdir", work_fd, work) < 0))
    goto out;
  for (char *save = NULL, *o = others ? strtok_r(others, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(o, '=');
    int r;
    if (eq) {
      *eq = '\0';
      r = (int)syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, o, eq + 1, 0);
    } else {
      r = (int)syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FLAG, o, NULL, 0);
    }
    if (r < 0) {
      char what[600];
      snprintf(what, sizeof what, "fsconfig option %s", o);
      fs_err(fsfd, errno, what);
      goto out;
    }
  }
  if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    fs_err(fsfd, errno, "create (fsconfig FSCONFIG_CMD_CREATE)");
    goto out;
  }
  unsigned attrs = 0;
  if (flags & MS_RDONLY) attrs |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) attrs |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) attrs |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) attrs |= MOUNT_ATTR_NOEXEC;
  *out_fd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, attrs);
  if (*out_fd < 0) {
    berr(errno, "rootfs overlay: fsmount");
    goto out;
  }
  rc = 0;
out:
  if (switched)
    restore_creds(&sv);
  for (size_t i = 0; i < n_layers; i++)
    close(layer_fds[i]);
  if (fsfd >= 0)
    close(fsfd);
  if (up_fd >= 0)
    close(up_fd);
  if (work_fd >= 0)
    close(work_fd);
  if (up_mnt >= 0)
    close(up_mnt);
  return rc;
}

int userns_rootfs_mount(const struct spec *s, int userns_fd, int *out_fd)
{
  if (!s->has_rootfs_mount)
    return userns_idmapped_tree(s->root_path, true, userns_fd, out_fd);
  if (strcmp(s->rootfs_mount.type, "overlay") != 0)
    return berr(0, "a user namespace needs an overlay or a plain directory as the rootfs, not %s", s->rootfs_mount.type);
  return overlay_mount(s, userns_fd, out_fd);
}

int userns_become_root(void)
{
  if (setgroups(0, NULL) < 0)
    return berr(errno, "user namespace: setgroups");
  if (setresgid(0, 0, 0) < 0)
    return berr(errno, "user namespace: setresgid 0");
  if (setresuid(0, 0, 0) < 0)
    return berr(errno, "user namespace: setresuid 0");
  return 0;
}

int userns_open_other(const char *pid, int *out)
{
  char p[64];
  *out = -1;
  snprintf(p, sizeof p, "/proc/%s/ns/user", pid);
  cleanup_fd int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berr(errno, "open %s", p);
  struct stat a, b;
  if (fstat(fd, &a) < 0 || stat("/proc/self/ns/user", &b) < 0)
    return berr(errno, "stat user namespaces");
  if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
    return 0;
  *out = fd;
  fd = -1;
  return 0;
}

int userns_join(int fd, const char *pid)
{
  if (setns(fd, CLONE_NEWUSER) < 0)
    return berr(errno, "join the user namespace of pid %s", pid);
  return userns_become_root();
}
