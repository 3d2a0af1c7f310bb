/* berth-init: the container's PID 1 for `berth run --init` (Docker's --init / tini).
 *
 *   berth-init -- CMD [ARG...]
 *
 * Runs CMD as its only direct child (looked up in the container's $PATH), forwards every signal it
 * receives to it (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1/2, SIGWINCH, ...), reaps every process
 * that ends up its child (orphans are reparented to PID 1), and exits with CMD's status: its exit
 * code, or 128+N when a signal N killed it. When CMD is gone the init exits at once and the kernel
 * kills whatever is left in the pid namespace.
 *
 * Built static (no loader, no libraries: it runs inside the container's root) and never read from
 * the container's filesystem: the helper copies it into a sealed memfd before pivot_root and starts
 * it with fexecve, so /proc/1/exe is that copy, which nobody can write.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *fmt, const char *arg, int err)
{
  /* one JSON-ish line, as the helper writes; the command and the error come from the container */
  dprintf(2, "berth-init: ");
  dprintf(2, fmt, arg);
  if (err)
    dprintf(2, ": %s", strerror(err));
  dprintf(2, "\n");
}

/* signals that are about this process itself, not requests to forward */
static int synchronous(int sig)
{
  return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGTRAP ||
         sig == SIGSYS || sig == SIGKILL || sig == SIGSTOP;
}

int main(int argc, char **argv)
{
  int first = 1;
  if (first < argc && strcmp(argv[first], "--") == 0)
    first++;
  if (first >= argc) {
    say("usage: berth-init -- COMMAND [ARG...]%s", "", 0);
    return 2;
  }

  sigset_t all, orig;
  sigfillset(&all);
  for (int s = 1; s < NSIG; s++)
    if (synchronous(s))
      sigdelset(&all, s);
  if (sigprocmask(SIG_SETMASK, &all, &orig) < 0) {
    say("sigprocmask%s", "", errno);
    return 1;
  }
  /* the child's tcsetpgrp must not stop it */
  signal(SIGTTIN, SIG_IGN);
  signal(SIGTTOU, SIG_IGN);

  pid_t child = fork();
  if (child < 0) {
    say("fork%s", "", errno);
    return 1;
  }
  if (child == 0) {
    /* its own process group, the terminal's foreground one: ctrl-C reaches it, as with tini */
    if (setpgid(0, 0) == 0 && isatty(0))
      tcsetpgrp(0, getpgrp());
    signal(SIGTTIN, SIG_DFL);
    signal(SIGTTOU, SIG_DFL);
    sigprocmask(SIG_SETMASK, &orig, NULL);
    execvp(argv[first], argv + first);
    int e = errno;
    say("exec \"%s\"", argv[first], e);
    _exit(e == ENOENT ? 127 : 126);
  }

  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig < 0) {
      if (errno == EINTR)
        continue;
      say("sigwaitinfo%s", "", errno);
      return 1;
    }
    if (sig != SIGCHLD) {
      if (kill(child, sig) < 0 && errno != ESRCH)
        say("forward a signal%s", "", errno);
      continue;
    }
    /* reap everything that has ended; remember the command's status */
    for (;;) {
      int status;
      pid_t p = waitpid(-1, &status, WNOHANG);
      if (p <= 0)
        break;
      if (p == child) {
        if (WIFEXITED(status))
          return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
          return 128 + WTERMSIG(status);
      }
    }
  }
}
