/* The default device nodes and /dev links, and the --device nodes, created inside the root
 * before pivot_root. */
#ifndef BERTH_DEVICES_H
#define BERTH_DEVICES_H
#include "spec.h"
int devices_create(const struct spec *s, int rootfd);
#endif
