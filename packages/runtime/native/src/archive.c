/* `berth-helper archive-out|archive-in` — `berth cp` inside a container's root.
 *
 * The process first makes the container's root its own root, so every path (the request's, the
 * tar's names, symlinks and hardlinks in the tar or in the container) is resolved inside it and
 * nothing outside can be read or written:
 *   --pid PID                 a running container: join its mount namespace (setns), whose root is
 *                             the container's root after its pivot_root, then chdir("/");
 *   --mount-type T --mount-source S --mount-options O --mount-at DIR
 *                             a stopped container: mount its rootfs (the snapshot's description) on
 *                             DIR in a private mount namespace that dies with this process, chroot.
 * archive-out --path P [--rebase NAME] [--follow] [--one-file-system] [--stat | --list]
 *   writes a tar of P to stdout; entry names start with NAME (default: P's base name; an empty
 *   NAME names entries relative to P and leaves P out); --one-file-system stays on P's mount; --follow
 *   follows P itself when it is a symlink (cp -L); --stat prints {"name","size","mode","type",
 *   "linkTarget"} instead; --list prints one such line (with uid, gid, mtime) per entry of the
 *   directory P, at most 5000, then {"truncated":true}.
 * archive-in --path DIR [--rebase OLD:NEW] [--keep-owner]
 *   extracts a tar from stdin into DIR (a directory): names are cleaned lexically ("..", absolute
 *   names land in DIR), OLD as the first component becomes NEW; without --keep-owner files belong
 *   to 0:0. Prints {"files":N,"bytes":N}. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_cmd.h"
#include "error.h"
#include "extract.h"
#include "userns.h"
#include "util.h"

struct root_opts {
  const char *pid;
  const char *mtype, *msource, *moptions, *mat;
};

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

static int enter_root(const struct root_opts *r)
{
  if (r->pid) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%s/ns/mnt", r->pid);
    cleanup_fd int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return berr(errno, "open %s", p);
    /* opened before the container's /proc replaces the host's */
    cleanup_fd int userfd = -1;
    if (userns_open_other(r->pid, &userfd) < 0)
      return -1;
    if (setns(fd, CLONE_NEWNS) < 0)
      return berr(errno, "join the mount namespace of pid %s", r->pid);
    /* A remapped container (--userns=remap): write as its root, which its idmapped rootfs stores
     * as 0 on disk; host root has no id there. */
    if (userfd >= 0 && userns_join(userfd, r->pid) < 0)
      return -1;
    if (chdir("/") < 0)
      return berr(errno, "chdir / in the container");
    return 0;
  }
  if (!r->mtype || !r->mat)
    return berr(0, "either --pid or --mount-type/--mount-at is required");
  if (unshare(CLONE_NEWNS) < 0)
    return berr(errno, "unshare mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return berr(errno, "make / private");
  if (mount(r->msource ? r->msource : r->mtype, r->mat, r->mtype, 0, r->moptions) < 0)
    return berr(errno, "mount %s rootfs on %s", r->mtype, r->mat);
  if (chdir(r->mat) < 0)
    return berr(errno, "chdir %s", r->mat);
  if (chroot(".") < 0)
    return berr(errno, "chroot %s", r->mat);
  if (chdir("/") < 0)
    return berr(errno, "chdir / in the rootfs");
  return 0;
}

/* Lexically cleans a tar name to a relative path without "." or ".." components ("" = the dir). */
static void clean_name(const char *in, char *out, size_t size)
{
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", in);
  out[0] = '\0';
  char *save, *tok;
  for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
    if (strcmp(tok, ".") == 0)
      continue;
    if (strcmp(tok, "..") == 0) {
      char *s = strrchr(out, '/');
      if (s)
        *s = '\0';
      else
        out[0] = '\0';
      continue;
    }
    if (out[0])
      strncat(out, "/", size - strlen(out) - 1);
    strncat(out, tok, size - strlen(out) - 1);
  }
}

static const char *base_name(const char *p)
{
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s", p);
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/')
    buf[--n] = '\0';
  const char *s = strrchr(buf, '/');
  if (s && s[1])
    return s + 1;
  return strcmp(buf, "/") == 0 ? "." : buf;
}

static int print_stat(const char *path, bool follow)
{
  struct stat st;
  if ((follow ? stat(path, &st) : lstat(path, &st)) < 0)
    return berr(errno, "stat %s", path);
  const char *type = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "symlink" : "other";
  char link[4096] = "";
  if (S_ISLNK(st.st_mode)) {
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n > 0)
      link[n] = '\0';
  }
  cleanup_sbuf struct sbuf b = {0};
  sbuf_printf(&b, "{\"name\":");
  sbuf_json_string(&b, base_name(path), strlen(base_name(path)));
  sbuf_printf(&b, ",\"size\":%lld,\"mode\":%u,\"type\":\"%s\",\"linkTarget\":", (long long)st.st_size, st.st_mode & 07777, type);
  sbuf_json_string(&b, link, strlen(link));
  sbuf_printf(&b, "}\n");
  if (write_all(1, b.data, b.len) < 0)
    return berr(errno, "write stat");
  return 0;
}

/* One JSON line per entry of the directory P (the dashboard's file browser): entries are not
 * followed; at most LIST_MAX are printed, then {"truncated":true}. */
#define LIST_MAX 5000
static int print_list(const char *path)
{
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berr(errno, "open directory %s", path);
  DIR *d = fdopendir(dfd);
  if (d == NULL) {
    int e = errno;
    close(dfd);
    return berr(e, "read directory %s", path);
  }
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (n++ >= LIST_MAX) {
      static const char more[] = "{\"truncated\":true}\n";
      (void)write_all(1, more, sizeof more - 1);
      break;
    }
    struct stat st;
    if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
      continue; /* gone meanwhile */
    const char *type = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "symlink" : "other";
    char link[4096] = "";
    if (S_ISLNK(st.st_mode)) {
      ssize_t k = readlinkat(dfd, de->d_name, link, sizeof link - 1);
      if (k > 0)
        link[k] = '\0';
    }
    cleanup_sbuf struct sbuf b = {0};
    sbuf_printf(&b, "{\"name\":");
    sbuf_json_string(&b, de->d_name, strlen(de->d_name));
    sbuf_printf(&b, ",\"size\":%lld,\"mode\":%u,\"type\":\"%s\",\"uid\":%u,\"gid\":%u,\"mtime\":%lld,\"linkTarget\":", (long long)st.st_size,
                st.st_mode & 07777, type, st.st_uid, st.st_gid, (long long)st.st_mtime);
    sbuf_json_string(&b, link, strlen(link));
    sbuf_printf(&b, "}\n");
    if (write_all(1, b.data, b.len) < 0) {
      closedir(d);
      return berr(errno, "write listing");
    }
  }
  closedir(d);
  return 0;
}

static int archive_out_entries(struct archive *disk, struct archive *out, struct archive_entry_linkresolver *links, const char *path,
                               const char *prefix);

static int archive_out(const char *path, const char *rebase, bool follow, bool one_fs)
{
  struct stat st;
  if ((follow ? stat(path, &st) : lstat(path, &st)) < 0)
    return berr(errno, "stat %s", path);
  const char *name = rebase ? rebase : base_name(path);
  char prefix[4096];
  snprintf(prefix, sizeof prefix, "%s", name);

  __attribute__((cleanup(cleanup_readp))) struct archive *disk = archive_read_disk_new();
  __attribute__((cleanup(cleanup_writep))) struct archive *out = archive_write_new();
  if (disk == NULL || out == NULL)
    return berr(ENOMEM, "libarchive");
  if (follow)
    archive_read_disk_set_symlink_hybrid(disk);
  else
    archive_read_disk_set_symlink_physical(disk);
  /* export: the root filesystem only; /proc, /sys, /dev and volumes are other mounts */
  if (one_fs && archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS) != ARCHIVE_OK)
    return berr(0, "set no-traverse-mounts: %s", archive_error_string(disk));
  archive_write_set_format_pax_restricted(out);
  if (archive_write_open_fd(out, 1) != ARCHIVE_OK)
    return berr(0, "open output: %s", archive_error_string(out));
  if (archive_read_disk_open(disk, path) != ARCHIVE_OK)
    return berr(0, "open %s: %s", path, archive_error_string(disk));
  /* hard links (busybox's applets, an image's shared files) become link entries, not copies */
  struct archive_entry_linkresolver *links = archive_entry_linkresolver_new();
  if (links == NULL)
    return berr(ENOMEM, "libarchive link resolver");
  archive_entry_linkresolver_set_strategy(links, archive_format(out));
  int rc = archive_out_entries(disk, out, links, path, prefix);
  archive_entry_linkresolver_free(links);
  if (rc < 0)
    return rc;
  if (archive_write_close(out) != ARCHIVE_OK)
    return berr(0, "finish archive: %s", archive_error_string(out));
  return 0;
}

static int archive_out_entries(struct archive *disk, struct archive *out, struct archive_entry_linkresolver *links, const char *path,
                               const char *prefix)
{
  size_t plen = strlen(path);
  for (;;) {
    struct archive_entry *e = archive_entry_new();
    int r = archive_read_next_header2(disk, e);
    if (r == ARCHIVE_EOF) {
      archive_entry_free(e);
      break;
    }
    if (r < ARCHIVE_WARN) {
      archive_entry_free(e);
      return berr(0, "read %s: %s", path, archive_error_string(disk));
    }
    archive_read_disk_descend(disk);
    const char *src = archive_entry_sourcepath(e);
    if (src == NULL)
      src = archive_entry_pathname(e);
    char nm[8192];
    const char *rest = strlen(src) >= plen ? src + plen : "";
    while (*rest == '/')
      rest++;
    if (prefix[0] == '\0') {
      /* an empty rebase names entries from inside P (export: "bin/sh"), without P itself */
      if (!*rest) {
        archive_entry_free(e);
        continue;
      }
      snprintf(nm, sizeof nm, "%s", rest);
    } else if (*rest)
      snprintf(nm, sizeof nm, "%s/%s", prefix, rest);
    else
      snprintf(nm, sizeof nm, "%s", prefix);
    archive_entry_copy_pathname(e, nm);
    archive_entry_set_uname(e, NULL);
    archive_entry_set_gname(e, NULL);
    struct archive_entry *spare = NULL;
    archive_entry_linkify(links, &e, &spare); /* tar formats link at once: e stays, spare unused */
    if (spare != NULL)
      archive_entry_free(spare);
    if (e == NULL)
      continue;
    if (archive_write_header(out, e) < ARCHIVE_WARN) {
      archive_entry_free(e);
      return berr(0, "write header %s: %s", nm, archive_error_string(out));
    }
    if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 && archive_entry_hardlink(e) == NULL) {
      char buf[65536];
      for (;;) {
        la_ssize_t n = archive_read_data(disk, buf, sizeof buf);
        if (n < 0) {
          archive_entry_free(e);
          return berr(0, "read %s: %s", src, archive_error_string(disk));
        }
        if (n == 0)
          break;
        if (archive_write_data(out, buf, (size_t)n) < 0) {
          archive_entry_free(e);
          return berr(0, "write %s: %s", nm, archive_error_string(out));
        }
      }
    }
    archive_entry_free(e);
  }
  return 0;
}

static int archive_in(const char *dir, const char *rebase, bool keep_owner, long long *files, long long *bytes)
{
  struct stat st;
  if (stat(dir, &st) < 0)
    return berr(errno, "stat %s", dir);
  if (!S_ISDIR(st.st_mode))
    return berr(ENOTDIR, "%s", dir);
  if (chdir(dir) < 0)
    return berr(errno, "chdir %s", dir);
  umask(0);
  char old[4096] = "", new[4096] = "";
  if (rebase) {
    const char *c = strchr(rebase, ':');
    if (!c)
      return berr(0, "--rebase must be OLD:NEW");
    char o[4096];
    snprintf(o, sizeof o, "%.*s", (int)(c - rebase), rebase);
    clean_name(o, old, sizeof old);
    clean_name(c + 1, new, sizeof new);
  }

  __attribute__((cleanup(cleanup_readp))) struct archive *in = archive_read_new();
  __attribute__((cleanup(cleanup_writep))) struct archive *out = archive_write_disk_new();
  if (in == NULL || out == NULL)
    return berr(ENOMEM, "libarchive");
  /* plain tar only: libarchive falls back to running external programs (lrzip, lzop, ...) for
   * filters it lacks, and inside the container's root those would be the container's binaries */
  archive_read_support_filter_none(in);
  archive_read_support_format_tar(in);
  archive_read_support_format_gnutar(in);
  archive_write_disk_set_options(out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                          ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  if (archive_read_open_fd(in, 0, 65536) != ARCHIVE_OK)
    return berr(0, "open tar stream: %s", archive_error_string(in));
  for (;;) {
    struct archive_entry *e;
    int r = archive_read_next_header(in, &e);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN)
      return berr(0, "read tar header: %s", archive_error_string(in));
    const char *name = archive_entry_pathname(e);
    if (name == NULL)
      return berr(0, "tar entry without a name");
    char clean[4096], final[8192];
    clean_name(name, clean, sizeof clean);
    size_t ol = strlen(old);
    if (rebase && ol && strncmp(clean, old, ol) == 0 && (clean[ol] == '\0' || clean[ol] == '/'))
      snprintf(final, sizeof final, "%s%s", new, clean + ol);
    else
      snprintf(final, sizeof final, "%s", clean);
    char fin[4096];
    clean_name(final, fin, sizeof fin);
    if (fin[0] == '\0')
      continue; /* the target dir itself keeps its own mode and owner */
    archive_entry_copy_pathname(e, fin);
    const char *link = archive_entry_hardlink(e);
    if (link) {
      char l[4096], lf[8192], lc[4096];
      clean_name(link, l, sizeof l);
      if (rebase && ol && strncmp(l, old, ol) == 0 && (l[ol] == '\0' || l[ol] == '/'))
        snprintf(lf, sizeof lf, "%s%s", new, l + ol);
      else
        snprintf(lf, sizeof lf, "%s", l);
      clean_name(lf, lc, sizeof lc);
      archive_entry_copy_hardlink(e, lc);
    }
    if (!keep_owner) {
      archive_entry_set_uid(e, 0);
      archive_entry_set_gid(e, 0);
      archive_entry_set_uname(e, NULL);
      archive_entry_set_gname(e, NULL);
    }
    if (extract_entry(in, out, e, name, files, bytes) < 0)
      return -1;
  }
  if (archive_write_close(out) != ARCHIVE_OK)
    return berr(0, "finish extraction: %s", archive_error_string(out));
  return 0;
}

int cmd_archive(int argc, char **argv)
{
  bool in = strcmp(argv[0], "archive-in") == 0;
  struct root_opts r = {0};
  const char *path = NULL, *rebase = NULL;
  bool follow = false, stat_only = false, list = false, keep_owner = false, one_fs = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(flag, var)                                                                                                 \
  if (strcmp(a, flag) == 0 && v) {                                                                                     \
    var = v;                                                                                                           \
    i++;                                                                                                               \
    continue;                                                                                                          \
  }
    OPT("--pid", r.pid)
    OPT("--mount-type", r.mtype)
    OPT("--mount-source", r.msource)
    OPT("--mount-options", r.moptions)
    OPT("--mount-at", r.mat)
    OPT("--path", path)
    OPT("--rebase", rebase)
#undef OPT
    if (strcmp(a, "--follow") == 0) {
      follow = true;
      continue;
    }
    if (strcmp(a, "--stat") == 0) {
      stat_only = true;
      continue;
    }
    if (strcmp(a, "--list") == 0) {
      list = true;
      continue;
    }
    if (strcmp(a, "--one-file-system") == 0) {
      one_fs = true;
      continue;
    }
    if (strcmp(a, "--keep-owner") == 0) {
      keep_owner = true;
      continue;
    }
    log_line(2, "error", "%s: unknown or incomplete option %s", argv[0], a);
    return 1;
  }
  if (!path || path[0] != '/') {
    log_line(2, "error", "%s: --path must be an absolute path", argv[0]);
    return 1;
  }
  /* glibc reads its gconv configuration once, on first use: do that now, from the host, so
   * libarchive's name conversions never load a configuration (or module) from the container */
  iconv_t cd = iconv_open("UTF-8", "WCHAR_T");
  if (cd != (iconv_t)-1)
    iconv_close(cd);
  if (enter_root(&r) < 0) {
    log_line(2, "error", "%s: %s", argv[0], berr_msg());
    return 1;
  }
  if (in) {
    long long files = 0, bytes = 0;
    if (archive_in(path, rebase, keep_owner, &files, &bytes) < 0) {
      log_line(2, "error", "copy into %s: %s", path, berr_msg());
      return 1;
    }
    printf("{\"files\":%lld,\"bytes\":%lld}\n", files, bytes);
    fflush(stdout);
    return 0;
  }
  if ((list ? print_list(path) : stat_only ? print_stat(path, follow) : archive_out(path, rebase, follow, one_fs)) < 0) {
    log_line(2, "error", "copy from %s: %s", path, berr_msg());
    return 1;
  }
  return 0;
}
