/* PTY helpers. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "pty.h"

int pty_open(int *master, int *slave)
{
  int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return berr(errno, "open /dev/ptmx");
  int unlock = 0;
  if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
    close(m);
    return berr(errno, "unlock pty");
  }
  int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) {
    close(m);
    return berr(errno, "open pty slave");
  }
  *master = m;
  *slave = s;
  return 0;
}

int pty_make_controlling(int slave)
{
  if (setsid() < 0)
    return berr(errno, "setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return berr(errno, "set controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0)
      return berr(errno, "dup pty slave to fd %d", i);
  return 0;
}

int pty_resize(int master, unsigned rows, unsigned cols)
{
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(master, TIOCSWINSZ, &ws) < 0)
    return berr(errno, "resize pty");
  return 0;
}

int send_fd(int sock, int fd, const void *msg, size_t len)
{
  struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
  char ctrl[CMSG_SPACE(sizeof(int))];
  memset(ctrl, 0, sizeof ctrl);
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof ctrl};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
    return berr(errno, "send fd");
  return 0;
}

ssize_t recv_fd(int sock, void *msg, size_t len, int *fd)
{
  struct iovec iov = {.iov_base = msg, .iov_len = len};
  char ctrl[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof ctrl};
  *fd = -1;
  ssize_t r;
  do
    r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy(fd, CMSG_DATA(c), sizeof(int));
  return r;
}
