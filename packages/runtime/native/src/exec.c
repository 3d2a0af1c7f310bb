/* exec: join the init's namespaces, fork into its pid namespace, confine like start, execve.
 * The helper stays as the parent: it relays the pty (with --tty), obeys the fd 3 control pipe
 * and exits with the process's status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "exec.h"
#include "process.h"
#include "pty.h"
#include "spec.h"
#include "userns.h"
#include "util.h"

#define EXIT_SETUP 125
#define CONTROL_FD 3

static const struct {
  const char *name;
  int flag;
} exec_ns[] = {
    {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
    /* last: a remapped container's user namespace gives no rights over the namespaces the agent
     * made (its bridge network's), so those are joined while still host root */
    {"user", CLONE_NEWUSER},
};
#define N_EXEC_NS (sizeof exec_ns / sizeof exec_ns[0])

static int join_namespaces(pid_t pid)
{
  int fds[N_EXEC_NS];
  bool joined_user = false;
  for (size_t i = 0; i < N_EXEC_NS; i++) {
    char p[64], self[64];
    snprintf(p, sizeof p, "/proc/%d/ns/%s", pid, exec_ns[i].name);
    snprintf(self, sizeof self, "/proc/self/ns/%s", exec_ns[i].name);
    fds[i] = open(p, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0)
      return berr(errno, "open %s", p);
    struct stat a, b;
    if (fstat(fds[i], &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
      close(fds[i]);
      fds[i] = -1;
    }
  }
  for (size_t i = 0; i < N_EXEC_NS; i++) {
    if (fds[i] < 0)
      continue;
    int r = setns(fds[i], exec_ns[i].flag);
    int e = errno;
    close(fds[i]);
    if (r < 0) {
      for (size_t k = i + 1; k < N_EXEC_NS; k++)
        if (fds[k] >= 0)
          close(fds[k]);
      return berr(e, "join %s namespace of pid %d", exec_ns[i].name, pid);
    }
    joined_user |= exec_ns[i].flag == CLONE_NEWUSER;
  }
  /* Host root is not mapped in the container's user namespace: become its root (a host id in the
   * remapped range) before anything is created in the container. */
  if (joined_user && userns_become_root() < 0)
    return -1;
  return 0;
}

static __attribute__((noreturn)) void child_fail(int errfd, int code)
{
  char line[BERR_MAX * 2];
  log_format(line, sizeof line, "error", berr_msg());
  struct sbuf b = {0};
  sbuf_printf(&b, "%d %s", code, line);
  (void)write_all(errfd, b.data, b.len);
  _exit(code);
}

static void child_main(const struct process_spec *p, int *cg_fds, size_t n_cg, int slave, int errfd, bool detach)
{
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (size_t i = 0; i < n_cg; i++) {
    if (write(cg_fds[i], "0", 1) < 0) {
      berr(errno, "join cgroup");
      child_fail(errfd, EXIT_SETUP);
    }
  }
  if (slave >= 0) {
    if (pty_make_controlling(slave) < 0)
      child_fail(errfd, EXIT_SETUP);
  } else if (setsid() < 0) {
    /* Not fatal: stay in the helper's session. */
  }
  if (detach) {
    /* exec -d: no stdio (Docker discards a detached exec's output); /dev/null of the container */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) {
      berr(errno, "open /dev/null for a detached exec");
      child_fail(errfd, EXIT_SETUP);
    }
    if (null > 2)
      close(null);
  }
  struct prepared_process pp;
  int code;
  if (process_prepare(p, &pp, &code) < 0)
    child_fail(errfd, code == 1 ? EXIT_SETUP : code);
  if (process_exec(p, &pp, errfd, &code) < 0)
    child_fail(errfd, code);
  _exit(EXIT_SETUP);
}

static int status_code(int st)
{
  return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static void control_line(char *line, pid_t child, int master)
{
  unsigned a, b;
  int sig;
  if (sscanf(line, "resize %u %u", &a, &b) == 2) {
    if (master >= 0)
      pty_resize(master, a, b);
  } else if (sscanf(line, "signal %d", &sig) == 1) {
    kill(child, sig);
  }
}

static int relay(pid_t child, int master, bool have_control)
{
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset(&mask, forwarded[i]);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  cleanup_fd int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0)
    return berr(errno, "signalfd");
  int in_fd = master >= 0 ? 0 : -1;
  int ctl = have_control ? CONTROL_FD : -1;
  struct sbuf ctlbuf = {0};
  bool exited = false;
  int status = 0;
  char buf[65536];
  if (master >= 0)
    set_nonblock(master, true);
  /* the child may have exited before SIGCHLD was blocked: its signal is then gone */
  if (waitpid(child, &status, WNOHANG) == child)
    exited = true;
  for (;;) {
    struct pollfd p[4] = {{.fd = sfd, .events = POLLIN},
                          {.fd = ctl, .events = POLLIN},
                          {.fd = in_fd, .events = POLLIN},
                          {.fd = master, .events = POLLIN}};
    if (exited && master < 0)
      break;
    int r = poll(p, 4, exited ? 200 : -1);
    if (r < 0 && errno != EINTR)
      return berr(errno, "poll");
    if (r == 0 && exited)
      break; /* nothing more from the pty */
    if (p[0].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si)
        if (si.ssi_signo != SIGCHLD)
          kill(child, (int)si.ssi_signo);
      int st;
      if (!exited && waitpid(child, &st, WNOHANG) == child) {
        exited = true;
        status = st;
      }
    }
    if (p[1].revents) {
      ssize_t n = read(ctl, buf, sizeof buf);
      if (n <= 0) {
        ctl = -1;
      } else {
        sbuf_append(&ctlbuf, buf, (size_t)n);
        char *nl;
        while ((nl = memchr(ctlbuf.data, '\n', ctlbuf.len)) != NULL) {
          *nl = '\0';
          control_line(ctlbuf.data, child, master);
          sbuf_consume(&ctlbuf, (size_t)(nl - ctlbuf.data) + 1);
        }
      }
    }
    if (p[2].revents) {
      ssize_t n = read(in_fd, buf, sizeof buf);
      if (n <= 0)
        in_fd = -1;
      else if (master >= 0) {
        set_nonblock(master, false);
        (void)write_all(master, buf, (size_t)n);
        set_nonblock(master, true);
      }
    }
    if (p[3].revents) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
        close(master);
        master = -1;
      } else if (n > 0 && write_all(1, buf, (size_t)n) < 0) {
        /* stdout is gone: keep draining so the process does not block */
      }
    }
  }
  sbuf_free(&ctlbuf);
  if (!exited) {
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
      ;
  }
  return status_code(status);
}

int cmd_exec(int argc, char **argv)
{
  /* fd 3 must be checked before anything else could be opened on it. */
  bool have_control = fcntl(CONTROL_FD, F_GETFD) >= 0;
  if (have_control)
    fcntl(CONTROL_FD, F_SETFD, FD_CLOEXEC);
  long long pid = 0;
  const char *process_file = NULL;
  const char *cg[64];
  size_t n_cg = 0;
  bool tty = false, detach = false;
  static const struct option opts[] = {{"detach", no_argument, 0, 'd'},{"pid", required_argument, 0, 'p'},
                                       {"process", required_argument, 0, 'f'},
                                       {"cgroup-procs", required_argument, 0, 'c'},
                                       {"tty", no_argument, 0, 't'},
                                       {0}};
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if (parse_int(optarg, &pid) < 0 || pid <= 0) {
        log_line(2, "error", "exec: invalid --pid %s", optarg);
        return EXIT_SETUP;
      }
      break;
    case 'f': process_file = optarg; break;
    case 'c':
      if (n_cg < 64)
        cg[n_cg++] = optarg;
      break;
    case 't': tty = true; break;
    case 'd': detach = true; break;
    default:
      log_line(2, "error", "usage: berth-helper exec --pid PID --process FILE [--cgroup-procs FILE]... [--tty] [--detach]");
      return EXIT_SETUP;
    }
  }
  if (pid <= 0 || process_file == NULL) {
    log_line(2, "error", "usage: berth-helper exec --pid PID --process FILE [--cgroup-procs FILE]... [--tty] [--detach]");
    return EXIT_SETUP;
  }
  json_error_t jerr;
  json_t *obj = json_load_file(process_file, 0, &jerr);
  if (obj == NULL) {
    log_line(2, "error", "exec: parse %s: line %d: %s", process_file, jerr.line, jerr.text);
    return EXIT_SETUP;
  }
  struct process_spec p;
  if (!json_is_object(obj)) {
    log_line(2, "error", "exec: %s: top level must be an object", process_file);
    return EXIT_SETUP;
  }
  if (process_parse(obj, "process", &p) < 0) {
    log_line(2, "error", "exec: %s", berr_msg());
    return EXIT_SETUP;
  }
  int cg_fds[64];
  for (size_t i = 0; i < n_cg; i++) {
    cg_fds[i] = open(cg[i], O_WRONLY | O_CLOEXEC);
    if (cg_fds[i] < 0) {
      log_line(2, "error", "exec: open %s: %s", cg[i], strerror(errno));
      return EXIT_SETUP;
    }
  }
  /* Not dumpable while it is inside the container's namespaces: its /proc/PID/exe and memory
   * stay closed to the container's processes (CVE-2019-5736); execve makes the child dumpable. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    log_line(2, "error", "exec: prctl PR_SET_DUMPABLE: %s", strerror(errno));
    return EXIT_SETUP;
  }
  if (join_namespaces((pid_t)pid) < 0) {
    log_line(2, "error", "exec: %s", berr_msg());
    return EXIT_SETUP;
  }
  int master = -1, slave = -1;
  if (tty && pty_open(&master, &slave) < 0) {
    log_line(2, "error", "exec: %s", berr_msg());
    return EXIT_SETUP;
  }
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) < 0) {
    log_line(2, "error", "exec: pipe: %s", strerror(errno));
    return EXIT_SETUP;
  }
  pid_t child = fork();
  if (child < 0) {
    log_line(2, "error", "exec: fork: %s", strerror(errno));
    return EXIT_SETUP;
  }
  if (child == 0) {
    close(ep[0]);
    if (master >= 0)
      close(master);
    child_main(&p, cg_fds, n_cg, slave, ep[1], detach);
  }
  close(ep[1]);
  if (slave >= 0)
    close(slave);
  for (size_t i = 0; i < n_cg; i++)
    close(cg_fds[i]);
  char err[BERR_MAX * 3];
  ssize_t n = read_full(ep[0], err, sizeof err - 1);
  close(ep[0]);
  if (n > 0) {
    err[n] = '\0';
    int st = 0;
    while (waitpid(child, &st, 0) < 0 && errno == EINTR)
      ;
    char *sp = strchr(err, ' ');
    fprintf(stderr, "%s\n", sp ? sp + 1 : err);
    return status_code(st);
  }
  if (detach) {
    /* the process runs: say so (the agent answers exec -d now), then wait for it as usual */
    printf("{\"started\":true,\"pid\":%d}\n", (int)child);
    fflush(stdout);
  }
  int rc = relay(child, master, have_control);
  if (rc < 0) {
    log_line(2, "error", "exec: %s", berr_msg());
    return EXIT_SETUP;
  }
  return rc;
}
