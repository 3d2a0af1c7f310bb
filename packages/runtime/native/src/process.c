/* Final process setup, run inside the container's root after its mounts. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "mounts.h"
#include "process.h"
#include "seccomp.h"
#include "user.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_get(const char *const *env, const char *name)
{
  size_t n = strlen(name);
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
      return env[i] + n + 1;
  return NULL;
}

static int lookup(const char *name, const char *path, char *out, size_t size, int *code)
{
  struct stat st;
  if (strchr(name, '/')) {
    if (stat(name, &st) < 0) {
      *code = errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
      return berr(errno, "exec: \"%s\": stat %s", name, name);
    }
    if (S_ISDIR(st.st_mode) || access(name, X_OK) < 0) {
      *code = EXIT_CANNOT_RUN;
      return berr(0, "exec: \"%s\": permission denied", name);
    }
    snprintf(out, size, "%s", name);
    return 0;
  }
  bool denied = false;
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  char *save;
  for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    char cand[4096];
    snprintf(cand, sizeof cand, "%s/%s", *dir ? dir : ".", name);
    if (stat(cand, &st) < 0 || S_ISDIR(st.st_mode))
      continue;
    if (access(cand, X_OK) < 0) {
      denied = true;
      continue;
    }
    snprintf(out, size, "%s", cand);
    return 0;
  }
  if (denied) {
    *code = EXIT_CANNOT_RUN;
    return berr(0, "exec: \"%s\": permission denied", name);
  }
  *code = EXIT_NOT_FOUND;
  return berr(0, "exec: \"%s\": executable file not found in $PATH", name);
}

int process_prepare(const struct process_spec *p, struct prepared_process *out, int *code)
{
  *code = 1;
  struct resolved_user u;
  if (user_resolve(p, &u) < 0)
    return -1;

  /* cwd is created as root (like Docker's WORKDIR), then entered as the user. It is resolved
   * inside the root with openat2 (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): neither a symlink nor
   * a /proc/self/fd/N magic link (a leaked fd, CVE-2024-21626) can put it outside. */
  cleanup_fd int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return berr(errno, "open /");
  cleanup_fd int cwd = -1;
  if (resolve_in_root(root, p->cwd, RESOLVE_CREATE_DIR, &cwd) < 0)
    return berr_ctx("working directory %s", p->cwd);

  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we still have
   * it (runc does the same); with no_new_privs, load it as late as possible. */
  if (p->seccomp && !p->no_new_privs && seccomp_apply(p->seccomp) < 0)
    return -1;
  if (caps_drop_bounding(p) < 0)
    return -1;
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return berr(errno, "prctl PR_SET_KEEPCAPS");
  if (setgroups(u.n_groups, u.groups) < 0)
    return berr(errno, "setgroups");
  if (setgid(u.gid) < 0)
    return berr(errno, "setgid %u", (unsigned)u.gid);
  if (setuid(u.uid) < 0)
    return berr(errno, "setuid %u", (unsigned)u.uid);
  if (caps_apply(p) < 0)
    return -1;
  if (fchdir(cwd) < 0)
    return berr(errno, "chdir to cwd %s", p->cwd);
  /* belt and braces: the kernel says "(unreachable)" for a cwd outside the root */
  char here[4096];
  if (getcwd(here, sizeof here) == NULL || here[0] != '/')
    return berr(errno ? errno : ENOENT, "working directory %s is outside the container", p->cwd);
  if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return berr(errno, "prctl PR_SET_NO_NEW_PRIVS");
  if (p->seccomp && p->no_new_privs && seccomp_apply(p->seccomp) < 0)
    return -1;

  /* Environment: the given one plus HOME when it is missing (as Docker does). */
  size_t n = 0;
  while (p->env && p->env[n])
    n++;
  out->envp = calloc(n + 2, sizeof(char *));
  if (out->envp == NULL)
    return berr(ENOMEM, "environment");
  for (size_t i = 0; i < n; i++)
    out->envp[i] = (char *)p->env[i];
  if (env_get(p->env, "HOME") == NULL) {
    char *h = malloc(strlen(u.home) + 6);
    if (h == NULL)
      return berr(ENOMEM, "environment");
    sprintf(h, "HOME=%s", u.home);
    out->envp[n++] = h;
  }
  const char *path = env_get(p->env, "PATH");
  return lookup(p->args[0], path ? path : DEFAULT_PATH, out->exe, sizeof out->exe, code);
}

int process_exec(const struct process_spec *p, struct prepared_process *pp, int keep_fd, int *code)
{
  if (keep_fd > 3)
    syscall(SYS_close_range, 3, keep_fd - 1, 0);
  if (syscall(SYS_close_range, (keep_fd >= 3 ? keep_fd : 2) + 1, ~0U, 0) < 0)
    return berr(errno, "close_range");
  execve(pp->exe, (char *const *)p->args, pp->envp);
  int e = errno;
  *code = (e == ENOENT) ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
  if (e == EACCES)
    return berr(0, "exec: \"%s\": permission denied", p->args[0]);
  return berr(e, "exec: \"%s\"", p->args[0]);
}

int process_exec_init(const struct process_spec *p, struct prepared_process *pp, int keep_fd, int init_fd, int *code)
{
  *code = 1;
  /* keep fds 0-2, keep_fd and init_fd; close everything else */
  int lo = keep_fd < init_fd ? keep_fd : init_fd, hi = keep_fd < init_fd ? init_fd : keep_fd;
  if (lo > 3)
    syscall(SYS_close_range, 3, lo - 1, 0);
  if (hi - lo > 1)
    syscall(SYS_close_range, lo + 1, hi - 1, 0);
  if (syscall(SYS_close_range, hi + 1, ~0U, 0) < 0)
    return berr(errno, "close_range");
  size_t n = 0;
  while (p->args[n])
    n++;
  char **argv = calloc(n + 3, sizeof(char *));
  if (argv == NULL)
    return berr(ENOMEM, "init arguments");
  argv[0] = "berth-init";
  argv[1] = "--";
  /* args[0] as given: the init looks it up in the same $PATH the helper already checked it in */
  for (size_t i = 0; i < n; i++)
    argv[2 + i] = (char *)p->args[i];
  fexecve(init_fd, argv, pp->envp);
  return berr(errno, "exec the init (berth-init)");
}
