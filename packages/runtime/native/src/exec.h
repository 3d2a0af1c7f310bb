/* `berth-helper exec`: runs a process inside a running container, in the foreground. */
#ifndef BERTH_EXEC_H
#define BERTH_EXEC_H
int cmd_exec(int argc, char **argv);
#endif
