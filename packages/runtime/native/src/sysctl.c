/* linux.sysctl: KEY=VALUE written to /proc/sys/K/E/Y of the container's proc mount, resolved beneath
 * that directory without symlinks or mount crossings, so a key can never reach another file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "sysctl.h"
#include "util.h"

static bool selected(const char *key, enum sysctl_which which)
{
  bool net = strncmp(key, "net.", 4) == 0;
  return which == SYSCTL_ALL || (which == SYSCTL_NET) == net;
}

int sysctls_apply(const struct spec *s, enum sysctl_which which)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n_sysctls; i++)
    n += selected(s->sysctls[i].key, which);
  if (n == 0)
    return 0;
  cleanup_fd int sys = open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sys < 0)
    return berr(errno, "sysctl: open the container's /proc/sys");
  struct statfs sf;
  if (fstatfs(sys, &sf) < 0)
    return berr(errno, "sysctl: statfs /proc/sys");
  if (sf.f_type != PROC_SUPER_MAGIC)
    return berr(0, "sysctl: the container's /proc/sys is not procfs");
  for (size_t i = 0; i < s->n_sysctls; i++) {
    const char *key = s->sysctls[i].key, *value = s->sysctls[i].value;
    if (!selected(key, which))
      continue;
    char rel[512];
    if (snprintf(rel, sizeof rel, "%s", key) >= (int)sizeof rel)
      return berr(ENAMETOOLONG, "sysctl %s", key);
    for (char *p = rel; *p; p++)
      if (*p == '.')
        *p = '/';
    struct open_how how = {.flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    cleanup_fd int fd = (int)syscall(SYS_openat2, sys, rel, &how, sizeof how);
    if (fd < 0)
      return berr(errno, "sysctl %s: open /proc/sys/%s", key, rel);
    if (write_all(fd, value, strlen(value)) < 0)
      return berr(errno, "sysctl %s: write \"%s\"", key, value);
  }
  return 0;
}
