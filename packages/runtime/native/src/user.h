/* Resolving "name[:group]" in the container's /etc/passwd and /etc/group (after pivot_root). */
#ifndef BERTH_USER_H
#define BERTH_USER_H

#include <sys/types.h>

#include "spec.h"

struct resolved_user {
  uid_t uid;
  gid_t gid;
  gid_t groups[256];
  size_t n_groups;
  char home[1024];
};

int user_resolve(const struct process_spec *p, struct resolved_user *out);

#endif
