/* `berth-helper start`: validates the bundle, double-forks the monitor, reports the init pid. */
#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H
int cmd_start(int argc, char **argv);
#endif
