/* config.json (OCI runtime-spec subset + the "berth" object) parsed and validated into structs.
 * Strings point into the jansson tree, which lives as long as the spec. */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mount_spec {
  const char *destination, *type, *source;
  const char **options; /* NULL-terminated */
};

struct ns_spec {
  int flag; /* CLONE_NEW* */
  const char *type;
  const char *path; /* NULL: create */
};

struct rlimit_spec {
  int resource;
  const char *type;
  uint64_t hard, soft;
};

struct process_spec {
  bool terminal;
  uid_t uid;
  gid_t gid;
  gid_t *additional_gids;
  size_t n_additional_gids;
  const char **args; /* NULL-terminated, at least one */
  const char **env;  /* NULL-terminated */
  const char *cwd;
  bool has_caps;
  uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
  struct rlimit_spec *rlimits;
  size_t n_rlimits;
  bool no_new_privs;
  const char *berth_user; /* "name[:group]" resolved in the container, or NULL */
  json_t *seccomp;        /* OCI linux.seccomp (start) or the exec file's "seccomp"; NULL: none */
};

/* OCI linux.devices[] (--device) */
struct device_spec {
  const char *path; /* inside the container, resolved in its root */
  const char *host_path; /* berthHostPath: bound instead of mknod in a user namespace; may be NULL */
  char type;        /* 'c' or 'b' */
  uint64_t major, minor, file_mode, uid, gid;
};

/* OCI linux.sysctl (--sysctl) */
struct sysctl_spec {
  const char *key, *value;
};

/* linux.uidMappings / linux.gidMappings entry (a user namespace, --userns=remap). */
struct id_mapping {
  uint64_t container_id, host_id, size;
};
#define MAX_ID_MAPPINGS 5

struct spec {
  json_t *json;
  struct process_spec process;
  const char *root_path;
  bool root_readonly;
  const char *hostname;
  struct mount_spec *mounts;
  size_t n_mounts;
  bool userns; /* a "user" namespace to create: the monitor writes the maps and idmaps the rootfs */
  struct id_mapping uid_maps[MAX_ID_MAPPINGS], gid_maps[MAX_ID_MAPPINGS];
  size_t n_uid_maps, n_gid_maps;
  struct ns_spec *namespaces;
  size_t n_namespaces;
  const char **masked_paths;   /* NULL-terminated */
  const char **readonly_paths; /* NULL-terminated */
  struct device_spec *devices;
  size_t n_devices;
  struct sysctl_spec *sysctls;
  size_t n_sysctls;
  bool has_rootfs_mount;
  struct mount_spec rootfs_mount;
  const char **cgroup_procs; /* NULL-terminated */
  const char *log_path;
  uint64_t log_max_size; /* rotate before a record would take the file past this; 0 = never */
  uint64_t log_max_file; /* files kept in all, the current one included; 0 or 1 = just it */
  bool open_stdin, wait_for_attach;
  const char *init_path; /* run --init: the static berth-init on the host, started as PID 1 from a sealed copy */
};

int spec_load(const char *path, struct spec *out);
/* Parses an OCI "process"-like object (exec uses it directly). field names the object in errors. */
int process_parse(json_t *obj, const char *field, struct process_spec *out);
/* The namespace entry of that CLONE_NEW* flag, or NULL. */
const struct ns_spec *spec_namespace(const struct spec *s, int flag);

#endif
