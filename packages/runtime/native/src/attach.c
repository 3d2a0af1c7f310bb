/* Attach socket server (the conmon "attach" concern). Clients are non-blocking; one that does
 * not read is dropped once its buffer passes 1 MiB, so it cannot block the container. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "error.h"

int attach_listen(struct attach_server *s, const char *dir)
{
  memset(s, 0, sizeof *s);
  cleanup_fd int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berr(errno, "open state dir %s", dir);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach.sock", dfd);
  if (unlinkat(dfd, "attach.sock", 0) < 0 && errno != ENOENT)
    return berr(errno, "remove old %s/attach.sock", dir);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return berr(errno, "create attach socket");
  mode_t old = umask(0177);
  int r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (r < 0) {
    close(fd);
    return berr(errno, "bind %s/attach.sock", dir);
  }
  if (fchmodat(dfd, "attach.sock", 0600, 0) < 0 || listen(fd, 16) < 0) {
    close(fd);
    return berr(errno, "listen on %s/attach.sock", dir);
  }
  s->listen_fd = fd;
  return 0;
}

int attach_accept(struct attach_server *s)
{
  int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0)
    return 0;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    struct attach_client *c = realloc(s->clients, cap * sizeof *c);
    if (c == NULL) {
      close(fd);
      return 0;
    }
    s->clients = c;
    s->cap = cap;
  }
  s->clients[s->n++] = (struct attach_client){.fd = fd};
  s->accepted++;
  return 1;
}

void attach_client_flush(struct attach_client *c)
{
  while (!c->dead && c->out.len > 0) {
    ssize_t w = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN)
        c->dead = true;
      return;
    }
    sbuf_consume(&c->out, (size_t)w);
  }
}

static void frame(struct attach_client *c, int stream, const void *p, size_t n)
{
  unsigned char h[8] = {(unsigned char)stream, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                        (unsigned char)(n >> 8), (unsigned char)n};
  sbuf_append(&c->out, h, 8);
  sbuf_append(&c->out, p, n);
  attach_client_flush(c);
  if (c->out.len > ATTACH_MAX_BUFFER)
    c->dead = true;
}

void attach_broadcast(struct attach_server *s, int stream, const void *p, size_t n)
{
  for (size_t i = 0; i < s->n; i++)
    if (!s->clients[i].dead)
      frame(&s->clients[i], stream, p, n);
}

void attach_client_read(struct attach_client *c, attach_op_fn fn, void *ctx)
{
  char buf[65536];
  ssize_t r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (r <= 0) {
    c->dead = true;
    return;
  }
  sbuf_append(&c->in, buf, (size_t)r);
  while (c->in.len >= 5) {
    const unsigned char *d = (const unsigned char *)c->in.data;
    uint32_t len = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
    if (len > ATTACH_MAX_BUFFER) {
      c->dead = true;
      return;
    }
    if (c->in.len < 5 + (size_t)len)
      break;
    fn(ctx, d[0], d + 5, len);
    sbuf_consume(&c->in, 5 + (size_t)len);
  }
}

void attach_reap(struct attach_server *s)
{
  size_t j = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (s->clients[i].dead) {
      close(s->clients[i].fd);
      sbuf_free(&s->clients[i].out);
      sbuf_free(&s->clients[i].in);
    } else {
      s->clients[j++] = s->clients[i];
    }
  }
  s->n = j;
}

void attach_shutdown(struct attach_server *s, const char *exit_json)
{
  /* Late connections that are already queued get the exit frame too. */
  while (attach_accept(s))
    ;
  attach_broadcast(s, ATTACH_EXIT, exit_json, strlen(exit_json));
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    attach_reap(s);
    size_t pending = 0;
    struct pollfd pfds[64];
    for (size_t i = 0; i < s->n && pending < 64; i++)
      if (s->clients[i].out.len) {
        pfds[pending].fd = s->clients[i].fd;
        pfds[pending].events = POLLOUT;
        pending++;
      }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (pending == 0 || elapsed > 2000)
      break;
    poll(pfds, pending, 100);
    for (size_t i = 0; i < s->n; i++)
      attach_client_flush(&s->clients[i]);
  }
  for (size_t i = 0; i < s->n; i++) {
    shutdown(s->clients[i].fd, SHUT_RDWR);
    s->clients[i].dead = true;
  }
  attach_reap(s);
  close(s->listen_fd);
  s->listen_fd = -1;
}
