/* The attach socket: framed output to any number of clients, stdin/resize/signal/close-stdin
 * frames from them. */
#ifndef BERTH_ATTACH_H
#define BERTH_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ATTACH_STDOUT 1
#define ATTACH_STDERR 2
#define ATTACH_EXIT 3

#define ATTACH_OP_STDIN 0
#define ATTACH_OP_RESIZE 1
#define ATTACH_OP_SIGNAL 2
#define ATTACH_OP_CLOSE_STDIN 3

#define ATTACH_MAX_BUFFER (1024 * 1024)

struct attach_client {
  int fd;
  struct sbuf out, in;
  bool dead;
};

struct attach_server {
  int listen_fd;
  struct attach_client *clients;
  size_t n, cap;
  size_t accepted; /* total ever accepted */
};

typedef void (*attach_op_fn)(void *ctx, int op, const unsigned char *payload, uint32_t len);

/* Binds DIR/attach.sock (mode 0600); the path may be longer than sun_path. */
int attach_listen(struct attach_server *s, const char *dir);
int attach_accept(struct attach_server *s);
void attach_broadcast(struct attach_server *s, int stream, const void *p, size_t n);
void attach_client_flush(struct attach_client *c);
void attach_client_read(struct attach_client *c, attach_op_fn fn, void *ctx);
void attach_reap(struct attach_server *s);
/* Sends the exit frame to every client, waits briefly for it to drain, closes everything. */
void attach_shutdown(struct attach_server *s, const char *exit_json);

#endif
