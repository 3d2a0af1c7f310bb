/* Layer unpacking. The process chroots into the target first, so no name, symlink or hardlink in
 * the archive can resolve outside it; libarchive does the tar work, we turn OCI whiteouts into
 * overlayfs whiteouts (0:0 char devices and the trusted.overlay.opaque xattr). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "error.h"
#include "extract.h"
#include "unpack.h"
#include "util.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

static void cleanup_readp(struct archive **a)
{
  if (*a)
    archive_read_free(*a);
}
static void cleanup_writep(struct archive **a)
{
  if (*a)
    archive_write_free(*a);
}

/* "./a/b/" -> "/a/b": a path rooted at the (chrooted) target. */
static void normalize(const char *in, char *out, size_t size)
{
  while (*in == '/' || (in[0] == '.' && in[1] == '/'))
    in += (*in == '/') ? 1 : 2;
  snprintf(out, size, "/%s", in);
  size_t n = strlen(out);
  while (n > 1 && out[n - 1] == '/')
    out[--n] = '\0';
}

static int apply_whiteout(const char *entry_path)
{
  char path[4096];
  normalize(entry_path, path, sizeof path);
  char *slash = strrchr(path, '/');
  const char *base = slash + 1;
  char dir[4096];
  snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
  if (dir[0] == '\0')
    strcpy(dir, "/");
  if (mkdir_p(dir, 0755) < 0)
    return berr_ctx("whiteout %s", entry_path);

  if (strcmp(base, WH_OPAQUE) == 0) {
    if (lsetxattr(dir, "trusted.overlay.opaque", "y", 1, 0) < 0)
      return berr(errno, "opaque whiteout %s: setxattr trusted.overlay.opaque on %s", entry_path, dir);
    return 0;
  }
  char target[4096];
  snprintf(target, sizeof target, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base + strlen(WH_PREFIX));
  struct stat st;
  if (lstat(target, &st) == 0) {
    if (S_ISDIR(st.st_mode) ? rmdir(target) < 0 : unlink(target) < 0)
      return berr(errno, "whiteout %s: remove existing %s", entry_path, target);
  }
  if (mknod(target, S_IFCHR | 0, makedev(0, 0)) < 0)
    return berr(errno, "whiteout %s: mknod %s", entry_path, target);
  return 0;
}

static int unpack(const char *target, long long *files, long long *bytes)
{
  if (chdir(target) < 0)
    return berr(errno, "chdir %s", target);
  if (chroot(".") < 0)
    return berr(errno, "chroot %s", target);
  if (chdir("/") < 0)
    return berr(errno, "chdir / in %s", target);
  umask(0);

  __attribute__((cleanup(cleanup_readp))) struct archive *in = archive_read_new();
  __attribute__((cleanup(cleanup_writep))) struct archive *out = archive_write_disk_new();
  if (in == NULL || out == NULL)
    return berr(ENOMEM, "libarchive");
  archive_read_support_filter_all(in);
  archive_read_support_format_tar(in);
  archive_read_support_format_gnutar(in);
  /* Owners are numeric ids: no lookups in the target's passwd. chroot keeps every path inside. */
  archive_write_disk_set_options(out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                          ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
                                          ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  if (archive_read_open_fd(in, 0, 65536) != ARCHIVE_OK)
    return berr(0, "open layer stream: %s", archive_error_string(in));

  const char *last = "(start of archive)";
  char lastbuf[4096];
  for (;;) {
    struct archive_entry *e;
    int r = archive_read_next_header(in, &e);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN)
      return berr(0, "read header after entry %s: %s", last, archive_error_string(in));
    const char *name = archive_entry_pathname(e);
    if (name == NULL)
      return berr(0, "entry after %s has no name", last);
    snprintf(lastbuf, sizeof lastbuf, "%s", name);
    last = lastbuf;

    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0) {
      if (apply_whiteout(name) < 0)
        return -1;
      (*files)++;
      continue;
    }
    /* Rewrite names so "..", absolute names and "./" land in the root (chroot keeps them in anyway). */
    char clean[4096];
    normalize(name, clean, sizeof clean);
    if (strstr(clean, "/../") || (strlen(clean) >= 3 && strcmp(clean + strlen(clean) - 3, "/..") == 0)) {
      /* Resolve ".." lexically against the root: chroot makes it harmless, but keep names sane. */
      char out_path[4096] = "";
      char tmp[4096];
      snprintf(tmp, sizeof tmp, "%s", clean);
      char *save, *tok;
      for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, "..") == 0) {
          char *s = strrchr(out_path, '/');
          if (s)
            *s = '\0';
        } else if (strcmp(tok, ".") != 0) {
          strncat(out_path, "/", sizeof out_path - strlen(out_path) - 1);
          strncat(out_path, tok, sizeof out_path - strlen(out_path) - 1);
        }
      }
      snprintf(clean, sizeof clean, "%s", out_path[0] ? out_path : "/");
    }
    archive_entry_copy_pathname(e, clean);
    const char *link = archive_entry_hardlink(e);
    if (link) {
      char l[4096];
      normalize(link, l, sizeof l);
      archive_entry_copy_hardlink(e, l);
    }
    if (strcmp(clean, "/") == 0) {
      (*files)++;
      continue; /* the root itself: keep the target's own mode and owner */
    }
    if (extract_entry(in, out, e, name, files, bytes) < 0)
      return -1;
  }
  if (archive_write_close(out) != ARCHIVE_OK)
    return berr(0, "finish extraction: %s", archive_error_string(out));
  return 0;
}

int cmd_unpack(int argc, char **argv)
{
  if (argc != 2) {
    log_line(2, "error", "usage: berth-helper unpack TARGET_DIR");
    return 1;
  }
  long long files = 0, bytes = 0;
  if (unpack(argv[1], &files, &bytes) < 0) {
    log_line(2, "error", "unpack into %s: %s", argv[1], berr_msg());
    return 1;
  }
  printf("{\"files\":%lld,\"bytes\":%lld}\n", files, bytes);
  fflush(stdout);
  return 0;
}
