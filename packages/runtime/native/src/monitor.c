/* The per-container monitor (conmon's role): creates the init, owns its stdio or pty master,
 * writes the log, serves the attach socket, records exit.json. It outlives the agent. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "container.h"
#include "error.h"
#include "logfile.h"
#include "monitor.h"
#include "pty.h"
#include "mounts.h"
#include "spec.h"
#include "sysctl.h"
#include "userns.h"
#include "util.h"

/* Lines on the report pipe from the monitor to the waiting `start` process. */
#define REPORT_LOG 'L'
#define REPORT_RESULT 'R'
#define REPORT_ERROR 'E'

struct monitor {
  const struct spec *spec;
  const char *state_dir;
  int report_fd;
  pid_t init;
  int sync_fd, sig_fd;
  int out_fd, err_fd; /* pty master (out_fd) or pipes */
  int stdin_fd;       /* pty master or pipe write end; -1 when none */
  struct sbuf stdin_pending;
  bool stdin_close_requested;
  bool go_sent;
  struct log_writer log;
  struct attach_server attach;
  bool exited;
  int status;
  char finished_at[64];
};

static void report(struct monitor *m, char kind, const char *line)
{
  if (m->report_fd < 0)
    return;
  struct sbuf b = {0};
  sbuf_printf(&b, "%c %s\n", kind, line);
  (void)write_all(m->report_fd, b.data, b.len);
  sbuf_free(&b);
}

static void report_log(struct monitor *m, const char *level, const char *msg)
{
  char line[BERR_MAX * 2];
  log_format(line, sizeof line, level, msg);
  report(m, REPORT_LOG, line);
}

static __attribute__((noreturn)) void fail(struct monitor *m, const char *msg)
{
  char line[BERR_MAX * 2];
  if (m->init > 0) {
    kill(m->init, SIGKILL);
    while (waitpid(m->init, NULL, 0) < 0 && errno == EINTR)
      ;
  }
  log_format(line, sizeof line, "error", msg);
  report(m, REPORT_ERROR, line);
  char p[4096];
  snprintf(p, sizeof p, "%s/attach.sock", m->state_dir);
  unlink(p);
  _exit(1);
}

static int write_cgroups(const struct spec *s, pid_t pid)
{
  for (size_t i = 0; s->cgroup_procs[i]; i++) {
    cleanup_fd int fd = open(s->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return berr(errno, "open %s", s->cgroup_procs[i]);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d", pid);
    if (write_all(fd, buf, (size_t)n) < 0)
      return berr(errno, "write pid %d to %s", pid, s->cgroup_procs[i]);
  }
  return 0;
}

static void write_state_file(struct monitor *m, const char *name, long v)
{
  char buf[32];
  snprintf(buf, sizeof buf, "%ld\n", v);
  if (write_file_atomic(m->state_dir, name, buf) < 0)
    fail(m, berr_msg());
}

/* A user namespace's root has no rights over namespaces the agent made (a bridge network's): the
 * monitor joins them before clone, and writes the net.* sysctls there itself. */
static int userns_join_before_clone(const struct spec *s)
{
  bool joined_net = false;
  for (size_t i = 0; i < s->n_namespaces; i++) {
    const struct ns_spec *ns = &s->namespaces[i];
    if (!ns->path || ns->flag == CLONE_NEWPID || ns->flag == CLONE_NEWNS)
      continue;
    cleanup_fd int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return berr(errno, "open %s namespace %s", ns->type, ns->path);
    if (setns(fd, ns->flag) < 0)
      return berr(errno, "join %s namespace %s", ns->type, ns->path);
    joined_net |= ns->flag == CLONE_NEWNET;
  }
  return joined_net ? sysctls_apply(s, SYSCTL_NET) : 0;
}

/* Maps, then the detached idmapped mounts for the init: the rootfs and each `idmap` bind. */
static int userns_prepare_init(const struct spec *s, pid_t init, int sync_fd)
{
  if (userns_write_maps(s, init) < 0)
    return -1;
  char p[64];
  snprintf(p, sizeof p, "/proc/%d/ns/user", init);
  cleanup_fd int ufd = open(p, O_RDONLY | O_CLOEXEC);
  if (ufd < 0)
    return berr(errno, "open %s", p);
  struct sync_msg msg = {.step = SYNC_MOUNT_FD, .code = -1};
  cleanup_fd int root = -1;
  if (userns_rootfs_mount(s, ufd, &root) < 0)
    return -1;
  if (send_fd(sync_fd, root, &msg, sizeof msg) < 0)
    return berr(errno, "sync: send the rootfs mount");
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct mount_spec *mt = &s->mounts[i];
    if (!mount_wants_idmap(mt))
      continue;
    if (mt->source == NULL)
      return berr(0, "mount %s: an idmapped mount needs a source", mt->destination);
    unsigned long flags, prop;
    bool rec;
    cleanup_free char *data = NULL;
    mount_options_parse(mt->options, &flags, &prop, &data, &rec);
    cleanup_fd int fd = -1;
    if (userns_idmapped_tree(mt->source, rec, ufd, &fd) < 0)
      return berr_ctx("mount %s", mt->destination);
    msg.code = (int32_t)i;
    if (send_fd(sync_fd, fd, &msg, sizeof msg) < 0)
      return berr(errno, "sync: send the mount for %s", mt->destination);
  }
  return 0;
}

enum sync_result { SYNC_EOF, SYNC_HANDLED, SYNC_GOT_READY };

/* Handles one message from init. EOF means execve happened (or init died). */
static enum sync_result handle_sync(struct monitor *m, bool during_start)
{
  struct sync_msg msg;
  int fd = -1;
  ssize_t r = sync_recv(m->sync_fd, &msg, &fd);
  if (r <= 0) {
    close(m->sync_fd);
    m->sync_fd = -1;
    return SYNC_EOF;
  }
  switch (msg.step) {
  case SYNC_LOG:
    report_log(m, msg.level, msg.msg);
    break;
  case SYNC_PTY_MASTER:
    if (fd < 0)
      fail(m, "sync: pty-master message without an fd");
    m->out_fd = fd;
    m->stdin_fd = fd;
    set_nonblock(fd, true);
    break;
  case SYNC_ERROR:
    if (during_start)
      fail(m, msg.msg);
    /* After start returned (waitForAttach): the error goes to the log and clients as stderr. */
    {
      char line[BERR_MAX + 2];
      int n = snprintf(line, sizeof line, "%s\n", msg.msg);
      logw_feed(&m->log, 2, line, (size_t)n);
      attach_broadcast(&m->attach, m->spec->process.terminal ? ATTACH_STDOUT : ATTACH_STDERR, line, (size_t)n);
    }
    break;
  default:
    break;
  }
  if (fd >= 0 && msg.step != SYNC_PTY_MASTER)
    close(fd);
  return msg.step == SYNC_READY ? SYNC_GOT_READY : SYNC_HANDLED;
}

static void send_go(struct monitor *m)
{
  if (m->go_sent)
    return;
  m->go_sent = true;
  if (sync_send(m->sync_fd, SYNC_GO, 0, NULL, NULL) < 0 && m->report_fd >= 0)
    fail(m, berr_msg());
}

static void on_op(void *ctx, int op, const unsigned char *p, uint32_t len)
{
  struct monitor *m = ctx;
  switch (op) {
  case ATTACH_OP_STDIN:
    if (m->stdin_fd >= 0 && !m->stdin_close_requested)
      sbuf_append(&m->stdin_pending, p, len);
    break;
  case ATTACH_OP_RESIZE:
    if (len >= 4 && m->spec->process.terminal && m->out_fd >= 0)
      pty_resize(m->out_fd, (unsigned)(p[0] << 8 | p[1]), (unsigned)(p[2] << 8 | p[3]));
    break;
  case ATTACH_OP_SIGNAL:
    if (len >= 4 && m->init > 0 && !m->exited)
      kill(m->init, (int)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]));
    break;
  case ATTACH_OP_CLOSE_STDIN:
    if (m->spec->process.terminal) {
      if (m->stdin_fd >= 0)
        sbuf_append(&m->stdin_pending, "\x04", 1);
    } else {
      m->stdin_close_requested = true;
    }
    break;
  default:
    break;
  }
}

static void flush_stdin(struct monitor *m)
{
  while (m->stdin_fd >= 0 && m->stdin_pending.len > 0) {
    ssize_t w = write(m->stdin_fd, m->stdin_pending.data, m->stdin_pending.len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN)
        m->stdin_pending.len = 0; /* the reader is gone */
      break;
    }
    sbuf_consume(&m->stdin_pending, (size_t)w);
  }
  if (m->stdin_close_requested && m->stdin_pending.len == 0 && m->stdin_fd >= 0 && !m->spec->process.terminal) {
    close(m->stdin_fd);
    m->stdin_fd = -1;
  }
}

/* Reads what is available; closes the fd at EOF (or EIO: the pty has no slave left). */
static void pump_output(struct monitor *m, int *fd, int stream)
{
  char buf[65536];
  for (;;) {
    ssize_t r = read(*fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && errno == EAGAIN)
      return;
    if (r <= 0) {
      if (*fd == m->stdin_fd)
        m->stdin_fd = -1;
      close(*fd);
      *fd = -1;
      return;
    }
    logw_feed(&m->log, stream, buf, (size_t)r);
    attach_broadcast(&m->attach, stream, buf, (size_t)r);
  }
}

static void reap(struct monitor *m)
{
  struct signalfd_siginfo si;
  while (read(m->sig_fd, &si, sizeof si) > 0)
    ;
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p <= 0)
      break;
    if (p == m->init && !m->exited) {
      m->exited = true;
      m->status = st;
      rfc3339_now(m->finished_at, sizeof m->finished_at);
    }
  }
}

static __attribute__((noreturn)) void finish(struct monitor *m)
{
  /* Drain what init (and its now-killed pid namespace) wrote before the log is closed. */
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (m->out_fd >= 0 || m->err_fd >= 0) {
    struct pollfd p[2] = {{.fd = m->out_fd, .events = POLLIN}, {.fd = m->err_fd, .events = POLLIN}};
    poll(p, 2, 100);
    if (m->out_fd >= 0)
      pump_output(m, &m->out_fd, ATTACH_STDOUT);
    if (m->err_fd >= 0)
      pump_output(m, &m->err_fd, ATTACH_STDERR);
    reap(m);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > 1000)
      break;
  }
  logw_flush(&m->log);

  int code, sig = 0;
  if (WIFSIGNALED(m->status)) {
    sig = WTERMSIG(m->status);
    code = 128 + sig;
  } else {
    code = WEXITSTATUS(m->status);
  }
  char json[256];
  if (sig)
    snprintf(json, sizeof json, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\"}", code, sig, m->finished_at);
  else
    snprintf(json, sizeof json, "{\"exitCode\":%d,\"signal\":null,\"finishedAt\":\"%s\"}", code, m->finished_at);
  write_file_atomic(m->state_dir, "exit.json", json);
  char sock[4096];
  snprintf(sock, sizeof sock, "%s/attach.sock", m->state_dir);
  unlink(sock);
  attach_shutdown(&m->attach, json);
  _exit(0);
}

static __attribute__((noreturn)) void monitor_loop(struct monitor *m)
{
  for (;;) {
    if (m->exited)
      finish(m);
    struct pollfd p[8 + 256];
    size_t n = 0;
    p[n++] = (struct pollfd){.fd = m->sig_fd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = m->attach.listen_fd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = m->out_fd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = m->err_fd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = m->sync_fd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = m->stdin_pending.len ? m->stdin_fd : -1, .events = POLLOUT};
    size_t first_client = n;
    for (size_t i = 0; i < m->attach.n && n < sizeof p / sizeof p[0]; i++)
      p[n++] = (struct pollfd){.fd = m->attach.clients[i].fd,
                               .events = (short)(POLLIN | (m->attach.clients[i].out.len ? POLLOUT : 0))};
    if (poll(p, n, -1) < 0 && errno != EINTR)
      continue;
    if (p[0].revents)
      reap(m);
    if (p[2].revents && m->out_fd >= 0)
      pump_output(m, &m->out_fd, ATTACH_STDOUT);
    if (p[3].revents && m->err_fd >= 0)
      pump_output(m, &m->err_fd, ATTACH_STDERR);
    if (p[4].revents && m->sync_fd >= 0)
      handle_sync(m, false);
    for (size_t i = first_client; i < n; i++) {
      struct attach_client *c = &m->attach.clients[i - first_client];
      if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
        attach_client_read(c, on_op, m);
      if (p[i].revents & POLLOUT)
        attach_client_flush(c);
    }
    attach_reap(&m->attach);
    if (p[1].revents) {
      while (attach_accept(&m->attach))
        ;
      if (m->attach.accepted > 0 && m->sync_fd >= 0 && !m->go_sent)
        send_go(m);
    }
    flush_stdin(m);
  }
}

static __attribute__((noreturn)) void monitor_main(const struct spec *s, const char *state_dir, int report_fd)
{
  struct monitor mon = {.spec = s, .state_dir = state_dir, .report_fd = report_fd, .sync_fd = -1, .sig_fd = -1,
                        .out_fd = -1, .err_fd = -1, .stdin_fd = -1};
  struct monitor *m = &mon;
  m->attach.listen_fd = -1;

  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    fail(m, "prctl PR_SET_CHILD_SUBREAPER failed");
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0)
    fail(m, "redirect monitor stdio to /dev/null");
  if (devnull > 2)
    close(devnull);

  if (logw_open(&m->log, s->log_path, s->log_max_size, s->log_max_file) < 0)
    fail(m, berr_msg());

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (m->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
    fail(m, "signalfd for SIGCHLD failed");

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    berr(errno, "socketpair");
    fail(m, berr_msg());
  }
  struct init_stdio io = {.in = -1, .out = -1, .err = -1};
  io.close_fds[io.n_close++] = sv[0];
  io.close_fds[io.n_close++] = report_fd;
  io.close_fds[io.n_close++] = m->sig_fd;
  io.close_fds[io.n_close++] = m->log.fd;
  if (!s->process.terminal) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
      berr(errno, "pipe");
      fail(m, berr_msg());
    }
    m->out_fd = out[0];
    m->err_fd = err[0];
    io.out = out[1];
    io.err = err[1];
    io.close_fds[io.n_close++] = out[0];
    io.close_fds[io.n_close++] = err[0];
    if (s->open_stdin) {
      int in[2];
      if (pipe2(in, O_CLOEXEC) < 0) {
        berr(errno, "pipe");
        fail(m, berr_msg());
      }
      m->stdin_fd = in[1];
      io.in = in[0];
      io.close_fds[io.n_close++] = in[1];
    }
  }

  const struct ns_spec *pidns = spec_namespace(s, CLONE_NEWPID);
  if (pidns && pidns->path) {
    cleanup_fd int fd = open(pidns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
      berr(errno, "join pid namespace %s", pidns->path);
      fail(m, berr_msg());
    }
  }

  if (s->userns && userns_join_before_clone(s) < 0)
    fail(m, berr_msg());

  m->init = container_clone(s, sv[1], &io);
  if (m->init < 0)
    fail(m, berr_msg());
  close(sv[1]);
  if (io.in >= 0)
    close(io.in);
  if (io.out >= 0)
    close(io.out);
  if (io.err >= 0)
    close(io.err);
  m->sync_fd = sv[0];
  if (m->out_fd >= 0)
    set_nonblock(m->out_fd, true);
  if (m->err_fd >= 0)
    set_nonblock(m->err_fd, true);
  if (m->stdin_fd >= 0)
    set_nonblock(m->stdin_fd, true);

  if (s->userns && userns_prepare_init(s, m->init, m->sync_fd) < 0)
    fail(m, berr_msg());
  if (write_cgroups(s, m->init) < 0)
    fail(m, berr_msg());
  if (sync_send(m->sync_fd, SYNC_CGROUP_DONE, 0, NULL, NULL) < 0)
    fail(m, berr_msg());

  /* Until READY: logs, the pty master, or an error. */
  for (;;) {
    enum sync_result r = handle_sync(m, true);
    if (r == SYNC_EOF)
      fail(m, "container init exited during setup");
    if (r == SYNC_GOT_READY)
      break;
  }

  write_state_file(m, "monitor.pid", getpid());
  write_state_file(m, "init.pid", m->init);
  if (attach_listen(&m->attach, state_dir) < 0)
    fail(m, berr_msg());

  if (!s->wait_for_attach) {
    send_go(m);
    /* EOF on the sync socket: execve closed init's end. An error message: execve failed. */
    while (handle_sync(m, true) != SYNC_EOF)
      ;
  }
  char result[128];
  snprintf(result, sizeof result, "{\"pid\":%d,\"monitorPid\":%d}", m->init, getpid());
  report(m, REPORT_RESULT, result);
  close(m->report_fd);
  m->report_fd = -1;
  monitor_loop(m);
}

int cmd_start(int argc, char **argv)
{
  const char *bundle = NULL, *state = NULL;
  static const struct option opts[] = {{"bundle", required_argument, 0, 'b'}, {"state", required_argument, 0, 's'}, {0}};
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'b')
      bundle = optarg;
    else if (c == 's')
      state = optarg;
    else {
      log_line(2, "error", "usage: berth-helper start --bundle DIR --state DIR");
      return 1;
    }
  }
  if (!bundle || !state) {
    log_line(2, "error", "usage: berth-helper start --bundle DIR --state DIR");
    return 1;
  }
  char cfg[4096];
  snprintf(cfg, sizeof cfg, "%s/config.json", bundle);
  static struct spec s;
  if (spec_load(cfg, &s) < 0) {
    log_line(2, "error", "%s", berr_msg());
    return 1;
  }
  if (mkdir_p(state, 0700) < 0) {
    log_line(2, "error", "create state dir: %s", berr_msg());
    return 1;
  }
  int rp[2];
  if (pipe2(rp, O_CLOEXEC) < 0) {
    log_line(2, "error", "pipe: %s", strerror(errno));
    return 1;
  }
  fflush(NULL);
  pid_t child = fork();
  if (child < 0) {
    log_line(2, "error", "fork: %s", strerror(errno));
    return 1;
  }
  if (child == 0) {
    close(rp[0]);
    if (setsid() < 0)
      _exit(1);
    /* Keep nothing of the caller's besides stdio (replaced later) and the report pipe. */
    if (rp[1] > 3)
      syscall(SYS_close_range, 3, rp[1] - 1, 0);
    syscall(SYS_close_range, rp[1] + 1, ~0U, 0);
    pid_t mon = fork();
    if (mon < 0)
      _exit(1);
    if (mon > 0)
      _exit(0);
    monitor_main(&s, state, rp[1]);
  }
  close(rp[1]);
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
    ;
  FILE *f = fdopen(rp[0], "r");
  char *line = NULL;
  size_t cap = 0;
  int rc = 1;
  bool got = false;
  while (getline(&line, &cap, f) > 0) {
    if (strlen(line) < 2)
      continue;
    const char *body = line + 2;
    if (line[0] == REPORT_LOG) {
      fputs(body, stderr);
    } else if (line[0] == REPORT_RESULT) {
      fputs(body, stdout);
      rc = 0;
      got = true;
      break;
    } else if (line[0] == REPORT_ERROR) {
      fputs(body, stderr);
      got = true;
      break;
    }
  }
  if (!got)
    log_line(2, "error", "monitor exited without reporting the container start");
  free(line);
  fclose(f);
  fflush(NULL);
  return rc;
}
