/* /dev/{null,zero,full,random,urandom,tty} with the host's numbers, plus the usual links. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int devices_create(int rootfd)
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
      int f = openat(dev, n, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
      if (f < 0)
        return berr(errno, "create /dev/%s", n);
      close(f);
      cleanup_fd int t = openat(dev, n, O_PATH | O_CLOEXEC | O_NOFOLLOW);
      if (t < 0)
        return berr(errno, "open /dev/%s", n);
      char src[64], dst[64];
      snprintf(src, sizeof src, "/dev/%s", n);
      snprintf(dst, sizeof dst, "/proc/self/fd/%d", t);
      if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
        return berr(errno, "bind /dev/%s", n);
      continue;
    }
    if (fchmodat(dev, n, 0666, 0) < 0)
      return berr(errno, "chmod /dev/%s", n);
  }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
      return berr(errno, "symlink /dev/%s", links[i].name);
  }
  return 0;
}
