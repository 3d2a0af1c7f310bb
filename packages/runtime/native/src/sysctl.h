/* --sysctl: linux.sysctl written through the container's own /proc/sys (its IPC and network
 * namespaces), after pivot_root and before /proc/sys is made read-only. */
#ifndef BERTH_SYSCTL_H
#define BERTH_SYSCTL_H
#include "spec.h"
enum sysctl_which { SYSCTL_ALL, SYSCTL_NET, SYSCTL_NOT_NET };
/* Writes the sysctls WHICH selects (net.*, all but net.*, or all) through /proc/sys. */
int sysctls_apply(const struct spec *s, enum sysctl_which which);
#endif
