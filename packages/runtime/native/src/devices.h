/* The default device nodes and /dev links, created inside the root before pivot_root. */
#ifndef BERTH_DEVICES_H
#define BERTH_DEVICES_H
int devices_create(int rootfd);
#endif
