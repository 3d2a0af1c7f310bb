/* `berth-helper copyup --lower DIR[:DIR...] --path PATH --dest DIR`
 *
 * Copies the image's tree at PATH into DEST (an empty, Berth-owned volume directory). The image
 * view is the read-only overlay of the layer dirs (whiteouts already applied), mounted in a private
 * mount namespace that dies with this process. PATH is resolved with openat2(RESOLVE_IN_ROOT), and
 * every source entry is opened relative to its parent's fd with O_NOFOLLOW, so no name or symlink
 * in the image can reach the host; destination entries are created with *at() calls under DEST's
 * fd and never followed. Prints {"files":N,"bytes":N}. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "copyup.h"
#include "error.h"
#include "mounts.h"
#include "util.h"

struct copy_stats {
  long long files, bytes;
};

static int copy_meta(int fd, const struct stat *st, const char *what)
{
  if (fchown(fd, st->st_uid, st->st_gid) < 0)
    return berr(errno, "chown %s", what);
  if (fchmod(fd, st->st_mode & 07777) < 0)
    return berr(errno, "chmod %s", what);
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  if (futimens(fd, ts) < 0)
    return berr(errno, "set times of %s", what);
  return 0;
}

static int copy_file(int sfd, int dfd, const struct stat *st, const char *what, struct copy_stats *cs)
{
  char buf[65536];
  for (;;) {
    ssize_t n = read(sfd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return berr(errno, "read %s", what);
    }
    if (n == 0)
      break;
    if (write_all(dfd, buf, (size_t)n) < 0)
      return berr(errno, "write %s", what);
    cs->bytes += n;
  }
  return copy_meta(dfd, st, what);
}

static int copy_dir(int sdir, int ddir, const char *rel, struct copy_stats *cs, int depth)
{
  if (depth > 256)
    return berr(ELOOP, "copy %s: too deep", rel);
  int it = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (it < 0)
    return berr(errno, "open %s", rel);
  DIR *d = fdopendir(it);
  if (!d) {
    close(it);
    return berr(errno, "read %s", rel);
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    char what[4096];
    snprintf(what, sizeof what, "%s/%s", rel, e->d_name);
    struct stat st;
    if (fstatat(sdir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      rc = berr(errno, "stat %s", what);
      break;
    }
    cs->files++;
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(ddir, e->d_name, 0700) < 0) {
        rc = berr(errno, "mkdir %s", what);
        break;
      }
      cleanup_fd int s2 = openat(sdir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_fd int d2 = openat(ddir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s2 < 0 || d2 < 0) {
        rc = berr(errno, "open %s", what);
        break;
      }
      rc = copy_dir(s2, d2, what, cs, depth + 1);
      if (rc == 0)
        rc = copy_meta(d2, &st, what);
    } else if (S_ISREG(st.st_mode)) {
      cleanup_fd int s2 = openat(sdir, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (s2 < 0) {
        rc = berr(errno, "open %s", what);
        break;
      }
      cleanup_fd int d2 = openat(ddir, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (d2 < 0) {
        rc = berr(errno, "create %s", what);
        break;
      }
      rc = copy_file(s2, d2, &st, what, cs);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(sdir, e->d_name, target, sizeof target - 1);
      if (n < 0) {
        rc = berr(errno, "readlink %s", what);
        break;
      }
      target[n] = '\0';
      if (symlinkat(target, ddir, e->d_name) < 0) {
        rc = berr(errno, "symlink %s", what);
        break;
      }
      if (fchownat(ddir, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
        rc = berr(errno, "chown %s", what);
        break;
      }
      struct timespec ts[2] = {st.st_atim, st.st_mtim};
      utimensat(ddir, e->d_name, ts, AT_SYMLINK_NOFOLLOW);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      /* a 0:0 character device is an overlay whiteout (single-layer case): nothing to copy */
      if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0)
        continue;
      if (mknodat(ddir, e->d_name, st.st_mode, st.st_rdev) < 0) {
        rc = berr(errno, "mknod %s", what);
        break;
      }
      if (fchownat(ddir, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        rc = berr(errno, "chown %s", what);
    }
    /* sockets are not copied */
  }
  if (rc == 0 && errno != 0 && e == NULL)
    rc = berr(errno, "read %s", rel);
  closedir(d);
  return rc;
}

int cmd_copyup(int argc, char **argv)
{
  const char *lower = NULL, *path = NULL, *dest = NULL;
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "--lower") == 0)
      lower = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--path") == 0)
      path = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--dest") == 0)
      dest = argv[++i];
    else {
      log_line(2, "error", "copyup: unknown argument %s", argv[i]);
      return 1;
    }
  }
  if (!lower || !path || !dest || path[0] != '/') {
    log_line(2, "error", "usage: berth-helper copyup --lower DIR[:DIR...] --path /ABS/PATH --dest DIR");
    return 1;
  }
  cleanup_fd int destfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (destfd < 0) {
    log_line(2, "error", "copyup: open destination %s: %s", dest, strerror(errno));
    return 1;
  }
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
    log_line(2, "error", "copyup: private mount namespace: %s", strerror(errno));
    return 1;
  }
  char mnt[] = "/tmp/berth-copyup-XXXXXX";
  const char *rootdir = lower;
  bool mounted = false;
  if (strchr(lower, ':')) {
    /* two or more layers: their read-only overlay, whiteouts and opaque dirs applied by the kernel */
    if (!mkdtemp(mnt)) {
      log_line(2, "error", "copyup: mkdtemp: %s", strerror(errno));
      return 1;
    }
    struct sbuf opts = {0};
    sbuf_printf(&opts, "lowerdir=%s", lower);
    if (mount("overlay", mnt, "overlay", MS_RDONLY, opts.data) < 0) {
      log_line(2, "error", "copyup: mount the image layers: %s", strerror(errno));
      sbuf_free(&opts);
      rmdir(mnt);
      return 1;
    }
    sbuf_free(&opts);
    mounted = true;
    rootdir = mnt;
  }
  int rc = 0;
  struct copy_stats cs = {0, 0};
  {
    cleanup_fd int rootfd = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_fd int src = -1;
    if (rootfd < 0) {
      rc = berr(errno, "open image root %s", rootdir);
    } else if (resolve_in_root(rootfd, path, RESOLVE_NO_CREATE, &src) < 0) {
      /* nothing at that path in the image: the volume starts empty */
      if (errno != ENOENT && strstr(berr_msg(), "No such file") == NULL)
        rc = -1;
    } else {
      struct stat st;
      if (fstat(src, &st) < 0)
        rc = berr(errno, "stat %s in the image", path);
      else if (S_ISDIR(st.st_mode)) {
        rc = copy_dir(src, destfd, path, &cs, 0);
        if (rc == 0)
          rc = copy_meta(destfd, &st, path);
      }
    }
  }
  if (mounted) {
    umount2(mnt, MNT_DETACH);
    rmdir(mnt);
  }
  if (rc < 0) {
    log_line(2, "error", "copyup %s: %s", path, berr_msg());
    return 1;
  }
  printf("{\"files\":%lld,\"bytes\":%lld}\n", cs.files, cs.bytes);
  return 0;
}
