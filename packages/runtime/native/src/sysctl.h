/* --sysctl: linux.sysctl written through the container's own /proc/sys (its IPC and network
 * namespaces), after pivot_root and before /proc/sys is made read-only. */
#ifndef BERTH_SYSCTL_H
#define BERTH_SYSCTL_H
#include "spec.h"
int sysctls_apply(const struct spec *s);
#endif
