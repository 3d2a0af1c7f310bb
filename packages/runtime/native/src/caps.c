/* Capabilities with raw prctl/capset, so no libcap is needed at run time. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"

static const char *const cap_names[] = {
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
    "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
    "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
    "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
    "CHECKPOINT_RESTORE",
};
#define N_CAPS ((int)(sizeof cap_names / sizeof cap_names[0]))

int caps_from_name(const char *name)
{
  if (strncmp(name, "CAP_", 4) == 0)
    name += 4;
  for (int i = 0; i < N_CAPS; i++)
    if (strcmp(cap_names[i], name) == 0)
      return i;
  return -1;
}

static int last_cap(void)
{
  static int cached = -1;
  if (cached >= 0)
    return cached;
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int v = N_CAPS - 1;
  if (f) {
    if (fscanf(f, "%d", &v) != 1)
      v = N_CAPS - 1;
    fclose(f);
  }
  cached = v;
  return v;
}

int caps_drop_bounding(const struct process_spec *p)
{
  if (!p->has_caps)
    return 0;
  int last = last_cap();
  for (int c = 0; c <= last && c < 64; c++) {
    if (p->cap_bounding & (1ULL << c))
      continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      return berr(errno, "drop capability %d from the bounding set", c);
  }
  return 0;
}

int caps_apply(const struct process_spec *p)
{
  if (!p->has_caps)
    return 0;
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  /* name a capability the runtime itself lacks instead of a bare "capset: EPERM" */
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &hdr, data) < 0)
    return berr(errno, "capget");
  uint64_t have = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
  for (int c = 0; c < 64; c++)
    if ((p->cap_permitted | p->cap_effective) & ~have & (1ULL << c))
      return berr(EPERM, "capability CAP_%s is not available to the runtime", c < N_CAPS ? cap_names[c] : "?");
  memset(data, 0, sizeof data);
  for (int i = 0; i < 2; i++) {
    data[i].effective = (uint32_t)(p->cap_effective >> (32 * i));
    data[i].permitted = (uint32_t)(p->cap_permitted >> (32 * i));
    data[i].inheritable = (uint32_t)(p->cap_inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &hdr, data) < 0)
    return berr(errno, "capset");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return berr(errno, "clear ambient capabilities");
  for (int c = 0; c < 64; c++) {
    if (!(p->cap_ambient & (1ULL << c)))
      continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return berr(errno, "raise ambient capability %s", c < N_CAPS ? cap_names[c] : "?");
  }
  return 0;
}
