/* OCI linux.seccomp (defaultAction, architectures, syscalls[{names, action, errnoRet, args}])
 * compiled with libseccomp and loaded right before execve. The profile itself is produced on
 * the TypeScript side (packages/runtime/src/oci/seccomp-default.ts). */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <jansson.h>

/* Builds the filter from the JSON object and throws it away: a bad profile fails at parse time. */
int seccomp_check(json_t *profile);
/* Builds and loads the filter (no_new_privs is left alone: the caller decides it). */
int seccomp_apply(json_t *profile);

#endif
