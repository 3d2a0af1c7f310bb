/* Container init creation and setup. Runs in the single-threaded monitor, so a raw clone(2) with
 * no new stack behaves like fork(2) with namespace flags. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <unistd.h>

#include "container.h"
#include "devices.h"
#include "mounts.h"
#include "process.h"
#include "selfclone.h"
#include "pty.h"
#include "sysctl.h"
#include "userns.h"
#include "util.h"

static const char *const step_names[] = {
    [SYNC_CGROUP_DONE] = "cgroup-done", [SYNC_LOG] = "log",  [SYNC_PTY_MASTER] = "pty-master",
    [SYNC_READY] = "ready",             [SYNC_GO] = "go",    [SYNC_ERROR] = "error",
    [SYNC_MOUNT_FD] = "mount-fd",
};

const char *sync_step_name(uint32_t step)
{
  return step < sizeof step_names / sizeof step_names[0] && step_names[step] ? step_names[step] : "unknown";
}

int sync_send(int fd, enum sync_step step, int code, const char *level, const char *msg)
{
  struct sync_msg m;
  memset(&m, 0, sizeof m);
  m.step = step;
  m.code = code;
  snprintf(m.level, sizeof m.level, "%s", level ? level : "");
  snprintf(m.msg, sizeof m.msg, "%s", msg ? msg : "");
  if (send(fd, &m, sizeof m, MSG_NOSIGNAL) < 0)
    return berr(errno, "sync: send %s", sync_step_name(step));
  return 0;
}

ssize_t sync_recv(int fd, struct sync_msg *m, int *passed_fd)
{
  memset(m, 0, sizeof *m);
  ssize_t r = recv_fd(fd, m, sizeof *m, passed_fd);
  if (r < 0)
    return berr(errno, "sync: receive");
  m->msg[sizeof m->msg - 1] = '\0';
  m->level[sizeof m->level - 1] = '\0';
  return r;
}

static int join_namespace(const struct ns_spec *ns)
{
  cleanup_fd int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berr(errno, "open %s namespace %s", ns->type, ns->path);
  if (setns(fd, ns->flag) < 0)
    return berr(errno, "join %s namespace %s", ns->type, ns->path);
  return 0;
}

static int set_rlimits(const struct process_spec *p, int sync_fd)
{
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const struct rlimit_spec *r = &p->rlimits[i];
    struct rlimit want = {.rlim_cur = r->soft, .rlim_max = r->hard};
    if (setrlimit(r->resource, &want) == 0)
      continue;
    if (errno != EPERM)
      return berr(errno, "setrlimit %s", r->type);
    /* Raising the hard limit needs CAP_SYS_RESOURCE: clamp to what we have and say so. */
    struct rlimit cur;
    if (getrlimit(r->resource, &cur) < 0)
      return berr(errno, "getrlimit %s", r->type);
    struct rlimit clamped = {.rlim_max = want.rlim_max > cur.rlim_max ? cur.rlim_max : want.rlim_max};
    clamped.rlim_cur = want.rlim_cur > clamped.rlim_max ? clamped.rlim_max : want.rlim_cur;
    if (setrlimit(r->resource, &clamped) < 0)
      return berr(errno, "setrlimit %s (clamped)", r->type);
    char msg[256];
    snprintf(msg, sizeof msg, "%s hard limit %llu clamped to %llu (cannot raise it)", r->type,
             (unsigned long long)r->hard, (unsigned long long)clamped.rlim_max);
    sync_send(sync_fd, SYNC_LOG, 0, "warn", msg);
  }
  return 0;
}

static int setup_stdio(const struct init_stdio *io)
{
  int in = io->in;
  cleanup_fd int devnull = -1;
  if (in < 0) {
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0)
      return berr(errno, "open /dev/null");
    in = devnull;
  }
  if (dup2(in, 0) < 0 || dup2(io->out, 1) < 0 || dup2(io->err, 2) < 0)
    return berr(errno, "set up stdio");
  return 0;
}

/* A new network namespace starts with lo down; Docker's containers see it up (127.0.0.1 works). */
static int loopback_up(void)
{
  cleanup_fd int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berr(errno, "socket for lo");
  struct ifreq ifr = {0};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
    return berr(errno, "get flags of lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
    return berr(errno, "bring lo up");
  return 0;
}

/* The monitor's detached mounts (user namespace only), then cgroup-done. */
static int receive_mounts(const struct spec *s, int sync_fd, struct mount_fds *mf)
{
  for (;;) {
    struct sync_msg m;
    int passed = -1;
    ssize_t r = sync_recv(sync_fd, &m, &passed);
    if (r <= 0)
      return r < 0 ? -1 : berr(0, "sync: expected cgroup-done from the monitor");
    if (m.step == SYNC_CGROUP_DONE) {
      if (passed >= 0)
        close(passed);
      return 0;
    }
    if (m.step != SYNC_MOUNT_FD || passed < 0)
      return berr(0, "sync: expected cgroup-done from the monitor, got %s", sync_step_name(m.step));
    if (m.code == -1)
      mf->rootfs = passed;
    else if (m.code >= 0 && (size_t)m.code < s->n_mounts)
      mf->idmapped[m.code] = passed;
    else
      close(passed);
  }
}

static int init_setup(const struct spec *s, int sync_fd, const struct init_stdio *io, int *code)
{
  struct sync_msg m;
  int passed;
  *code = 1;
  struct mount_fds mf;
  if (mount_fds_init(s, &mf) < 0 || receive_mounts(s, sync_fd, &mf) < 0)
    return -1;

  /* With a user namespace the monitor joined them before clone (it still had the rights). */
  for (size_t i = 0; i < s->n_namespaces && !s->userns; i++) {
    const struct ns_spec *ns = &s->namespaces[i];
    if (ns->path && ns->flag != CLONE_NEWPID && join_namespace(ns) < 0)
      return -1;
  }
  const struct ns_spec *cg = spec_namespace(s, CLONE_NEWCGROUP);
  if (cg && !cg->path && unshare(CLONE_NEWCGROUP) < 0)
    return berr(errno, "unshare cgroup namespace");

  if (!s->process.terminal && setup_stdio(io) < 0)
    return -1;
  const struct ns_spec *net = spec_namespace(s, CLONE_NEWNET);
  if (net && !net->path && loopback_up() < 0)
    return -1;

  /* The monitor wrote net.* sysctls of a network namespace it joined for a user namespace: the
   * user namespace's root has no rights over it. */
  const struct ns_spec *netns = spec_namespace(s, CLONE_NEWNET);
  enum sysctl_which which = s->userns && netns && netns->path ? SYSCTL_NOT_NET : SYSCTL_ALL;
  /* --init: copied from the host before pivot_root, into a sealed memfd the container cannot write */
  cleanup_fd int init_fd = -1;
  if (s->init_path && (init_fd = sealed_copy(s->init_path, "berth-init")) < 0)
    return -1;

  cleanup_fd int rootfd = -1;
  if (mounts_open_sources(s, &mf) < 0 || mounts_prepare_rootfs(s, &mf, &rootfd) < 0)
    return -1;
  /* The init started as host root (kuid 0), which the namespace does not map: now that the
   * rootfs and the bind sources are open, become the namespace's root (a host id in the range). */
  if (s->userns && userns_become_root() < 0)
    return -1;
  if (mounts_apply(s, rootfd, &mf) < 0 || devices_create(s, rootfd) < 0 || mounts_pivot_root(rootfd) < 0 ||
      sysctls_apply(s, which) < 0 || mounts_finish(s) < 0)
    return -1;
  for (size_t i = 0; i < s->n_mounts; i++) {
    if (mf.idmapped[i] >= 0)
      close(mf.idmapped[i]);
    if (mf.sources[i] >= 0)
      close(mf.sources[i]);
  }
  if (mf.rootfs >= 0)
    close(mf.rootfs);
  if (s->hostname && spec_namespace(s, CLONE_NEWUTS) && sethostname(s->hostname, strlen(s->hostname)) < 0)
    return berr(errno, "sethostname %s", s->hostname);
  if (set_rlimits(&s->process, sync_fd) < 0)
    return -1;

  if (s->process.terminal) {
    int master, slave;
    if (pty_open(&master, &slave) < 0)
      return -1;
    if (send_fd(sync_fd, master, &(struct sync_msg){.step = SYNC_PTY_MASTER}, sizeof(struct sync_msg)) < 0)
      return -1;
    close(master);
    if (pty_make_controlling(slave) < 0)
      return -1;
    if (slave > 2)
      close(slave);
  }

  struct prepared_process pp;
  if (process_prepare(&s->process, &pp, code) < 0)
    return -1;
  if (sync_send(sync_fd, SYNC_READY, 0, NULL, NULL) < 0)
    return -1;
  ssize_t r = sync_recv(sync_fd, &m, &passed);
  if (r <= 0 || m.step != SYNC_GO)
    return r < 0 ? -1 : berr(0, "sync: expected go from the monitor");
  if (init_fd >= 0)
    return process_exec_init(&s->process, &pp, sync_fd, init_fd, code);
  return process_exec(&s->process, &pp, sync_fd, code);
}

pid_t container_clone(const struct spec *s, int sync_fd, const struct init_stdio *io)
{
  unsigned long flags = SIGCHLD;
  for (size_t i = 0; i < s->n_namespaces; i++)
    if (!s->namespaces[i].path && s->namespaces[i].flag != CLONE_NEWCGROUP)
      flags |= (unsigned long)s->namespaces[i].flag;
  pid_t pid = (pid_t)syscall(SYS_clone, flags, 0, NULL, NULL, 0);
  if (pid < 0)
    return berr(errno, "clone the container init");
  if (pid > 0)
    return pid;

  /* Child: not dumpable until execve resets it, so a process already in the container cannot
   * open this helper through /proc/PID/exe or read its memory (CVE-2019-5736, as runc). */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    sync_send(sync_fd, SYNC_ERROR, 1, "error", "prctl PR_SET_DUMPABLE failed");
    _exit(1);
  }
  /* Child: undo the monitor's signal setup, which would otherwise survive execve. */
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  for (size_t i = 0; i < io->n_close; i++)
    if (io->close_fds[i] >= 0)
      close(io->close_fds[i]);
  int code = 1;
  if (init_setup(s, sync_fd, io, &code) < 0) {
    sync_send(sync_fd, SYNC_ERROR, code, "error", berr_msg());
    _exit(code);
  }
  _exit(code);
}
