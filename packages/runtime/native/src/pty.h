/* PTYs: opening one in the current mount namespace's devpts, making the slave the controlling
 * terminal, passing the master over a unix socket. */
#ifndef BERTH_PTY_H
#define BERTH_PTY_H

int pty_open(int *master, int *slave);
/* setsid, TIOCSCTTY on slave and slave as fds 0,1,2. */
int pty_make_controlling(int slave);
int pty_resize(int master, unsigned rows, unsigned cols);
int send_fd(int sock, int fd, const void *msg, size_t len);
/* Receives a message and an optional fd (*fd = -1 when none). Returns bytes, 0 on EOF, -1 on error. */
ssize_t recv_fd(int sock, void *msg, size_t len, int *fd);

#endif
