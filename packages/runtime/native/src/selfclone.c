/* CVE-2019-5736: a process in the container that reaches /proc/PID/exe of a helper process (or
 * makes the helper execute "#!/proc/self/exe") could open the host's berth-helper and overwrite
 * it. start and exec therefore re-execute themselves from a sealed memfd copy: /proc/PID/exe of
 * every monitor, init-before-execve and exec process is that copy, which nobody can write, and
 * the host binary is never what the container can reach. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "selfclone.h"
#include "util.h"

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int is_cloned(void)
{
  cleanup_fd int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berr(errno, "open /proc/self/exe");
  int seals = fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

int sealed_copy(const char *path, const char *name)
{
  cleanup_fd int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0)
    return berr(errno, "open %s", path);
  struct stat st;
  if (fstat(src, &st) < 0)
    return berr(errno, "stat %s", path);
  if (!S_ISREG(st.st_mode))
    return berr(0, "%s is not a regular file", path);
  int mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return berr(errno, "memfd_create for a sealed copy of %s", path);
  off_t off = 0;
  while (off < st.st_size) {
    ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(mfd);
      return berr(e, "copy %s into a memfd", path);
    }
  }
  if (fcntl(mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0) {
    int e = errno;
    close(mfd);
    return berr(e, "seal the memfd copy of %s", path);
  }
  return mfd;
}

int selfclone_ensure(char **argv)
{
  int c = is_cloned();
  if (c != 0)
    return c > 0 ? 0 : -1;
  cleanup_fd int mfd = sealed_copy("/proc/self/exe", "berth-helper");
  if (mfd < 0)
    return -1;
  fexecve(mfd, argv, environ);
  return berr(errno, "re-execute the helper from its sealed copy");
}
