/* /dev/{null,zero,full,random,urandom,tty} with the host's numbers, plus the usual links, then
 * the --device nodes (linux.devices), every path resolved inside the root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "error.h"
#include "mounts.h"
#include "util.h"

static const struct {
  const char *name;
  unsigned major, minor;
} devices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
  const char *name, *target;
} links[] = {
    {"fd", "/proc/self/fd"},         {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},   {"ptmx", "pts/ptmx"},
};

/* One linux.devices entry: PATH's directory resolved (and made) inside the root, then the node made
 * there with mknodat, never by joining host paths. */
/* A user namespace cannot mknod: bind the host's node onto an empty file instead (its owner and
 * mode are the host's, as with rootless runc). */
static int bind_host_node(int dirfd, const char *name, const char *host, const char *what)
{
  int f = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (f < 0)
    return berr(errno, "device %s: create", what);
  close(f);
  cleanup_fd int t = openat(dirfd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (t < 0)
    return berr(errno, "device %s: open", what);
  char dst[64];
  snprintf(dst, sizeof dst, "/proc/self/fd/%d", t);
  if (mount(host, dst, NULL, MS_BIND, NULL) < 0)
    return berr(errno, "device %s: bind the host's %s", what, host);
  return 0;
}

static int device_create_extra(int rootfd, const struct device_spec *d, bool s_userns)
{
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", d->path) >= (int)sizeof buf)
    return berr(ENAMETOOLONG, "device %s", d->path);
  size_t len = strlen(buf);
  while (len > 1 && buf[len - 1] == '/')
    buf[--len] = '\0';
  char *slash = strrchr(buf, '/');
  const char *base = slash + 1;
  if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
    return berr(0, "device %s: not a file name", d->path);
  *slash = '\0';
  const char *dir = buf[0] ? buf : "/";
  cleanup_fd int dirfd = -1;
  if (resolve_in_root(rootfd, dir, RESOLVE_CREATE_DIR, &dirfd) < 0)
    return berr_ctx("device %s", d->path);
  if (unlinkat(dirfd, base, 0) < 0 && errno != ENOENT)
    return berr(errno, "device %s: remove what is there", d->path);
  mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;
  if (mknodat(dirfd, base, type | (mode_t)(d->file_mode & 0777), makedev(d->major, d->minor)) < 0) {
    if (errno == EPERM && s_userns && d->host_path)
      return bind_host_node(dirfd, base, d->host_path, d->path);
    return berr(errno, "device %s: mknod %c %llu:%llu", d->path, d->type, (unsigned long long)d->major,
                (unsigned long long)d->minor);
  }
  if (fchownat(dirfd, base, (uid_t)d->uid, (gid_t)d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berr(errno, "device %s: chown", d->path);
  if (fchmodat(dirfd, base, (mode_t)(d->file_mode & 07777), 0) < 0)
    return berr(errno, "device %s: chmod", d->path);
  return 0;
}

int devices_create(const struct spec *s, int rootfd)
{
  cleanup_fd int dev = -1;
  if (resolve_in_root(rootfd, "/dev", RESOLVE_CREATE_DIR, &dev) < 0)
    return -1;
  for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
    const char *n = devices[i].name;
    if (unlinkat(dev, n, 0) < 0 && errno != ENOENT)
      return berr(errno, "remove existing /dev/%s", n);
    if (mknodat(dev, n, S_IFCHR | 0666, makedev(devices[i].major, devices[i].minor)) < 0) {
      /* Without CAP_MKNOD (a user namespace) bind the host's node instead. */
      if (errno != EPERM)
        return berr(errno, "mknod /dev/%s", n);
      char src[64], what[64];
      snprintf(src, sizeof src, "/dev/%s", n);
      snprintf(what, sizeof what, "/dev/%s", n);
      if (bind_host_node(dev, n, src, what) < 0)
        return -1;
      continue;
    }
    if (fchmodat(dev, n, 0666, 0) < 0)
      return berr(errno, "chmod /dev/%s", n);
  }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
      return berr(errno, "symlink /dev/%s", links[i].name);
  }
  for (size_t i = 0; i < s->n_devices; i++)
    if (device_create_extra(rootfd, &s->devices[i], s->userns) < 0)
      return -1;
  return 0;
}
