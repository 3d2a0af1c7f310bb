/* Capability names and dropping the process's capabilities to a process_spec's sets. */
#ifndef BERTH_CAPS_H
#define BERTH_CAPS_H

#include "spec.h"

/* "CAP_CHOWN" -> 0; -1 when unknown. */
int caps_from_name(const char *name);
/* Drops the bounding set (needs CAP_SETPCAP, so call before changing uid). */
int caps_drop_bounding(const struct process_spec *p);
/* Sets effective/permitted/inheritable and the ambient set (after setuid with PR_SET_KEEPCAPS). */
int caps_apply(const struct process_spec *p);

#endif
