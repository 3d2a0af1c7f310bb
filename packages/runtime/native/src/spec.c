/* config.json parsing. Every wrong type fails with a message naming the field. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "caps.h"
#include "error.h"
#include "seccomp.h"
#include "spec.h"

static int get_obj(json_t *parent, const char *key, const char *field, bool required, json_t **out)
{
  json_t *v = json_object_get(parent, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) {
    if (required)
      return berr(0, "config: %s%s%s is required", field, *field ? "." : "", key);
    return 0;
  }
  if (!json_is_object(v))
    return berr(0, "config: %s%s%s must be an object", field, *field ? "." : "", key);
  *out = v;
  return 0;
}

static int get_str(json_t *parent, const char *key, const char *field, bool required, const char **out)
{
  json_t *v = json_object_get(parent, key);
  if (v == NULL || json_is_null(v)) {
    if (required)
      return berr(0, "config: %s%s%s is required", field, *field ? "." : "", key);
    return 0;
  }
  if (!json_is_string(v))
    return berr(0, "config: %s%s%s must be a string", field, *field ? "." : "", key);
  *out = json_string_value(v);
  return 0;
}

static int get_bool(json_t *parent, const char *key, const char *field, bool *out)
{
  json_t *v = json_object_get(parent, key);
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_boolean(v))
    return berr(0, "config: %s%s%s must be a boolean", field, *field ? "." : "", key);
  *out = json_is_true(v);
  return 0;
}

static int get_uint(json_t *parent, const char *key, const char *field, uint64_t *out)
{
  json_t *v = json_object_get(parent, key);
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return berr(0, "config: %s.%s must be a non-negative integer", field, key);
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

/* A NULL-terminated array of the strings of a JSON array (absent: empty). */
static int get_strv(json_t *parent, const char *key, const char *field, const char ***out)
{
  json_t *v = json_object_get(parent, key);
  size_t n = (v && json_is_array(v)) ? json_array_size(v) : 0;
  if (v != NULL && !json_is_null(v) && !json_is_array(v))
    return berr(0, "config: %s%s%s must be an array of strings", field, *field ? "." : "", key);
  const char **arr = calloc(n + 1, sizeof *arr);
  if (arr == NULL)
    return berr(ENOMEM, "config");
  for (size_t i = 0; i < n; i++) {
    json_t *s = json_array_get(v, i);
    if (!json_is_string(s)) {
      free(arr);
      return berr(0, "config: %s%s%s[%zu] must be a string", field, *field ? "." : "", key, i);
    }
    arr[i] = json_string_value(s);
  }
  *out = arr;
  return 0;
}

static const struct {
  const char *name;
  int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_caps(json_t *caps, const char *key, const char *field, uint64_t *out)
{
  const char **names = NULL;
  char f[256];
  snprintf(f, sizeof f, "%s.capabilities", field);
  if (get_strv(caps, key, f, &names) < 0)
    return -1;
  *out = 0;
  for (size_t i = 0; names[i]; i++) {
    int c = caps_from_name(names[i]);
    if (c < 0) {
      berr(0, "config: %s.%s: unknown capability %s", f, key, names[i]);
      free(names);
      return -1;
    }
    *out |= 1ULL << c;
  }
  free(names);
  return 0;
}

int process_parse(json_t *p, const char *field, struct process_spec *out)
{
  memset(out, 0, sizeof *out);
  char f[256];
  if (get_bool(p, "terminal", field, &out->terminal) < 0)
    return -1;
  json_t *user;
  if (get_obj(p, "user", field, false, &user) < 0)
    return -1;
  if (user) {
    uint64_t uid = 0, gid = 0;
    snprintf(f, sizeof f, "%s.user", field);
    if (get_uint(user, "uid", f, &uid) < 0 || get_uint(user, "gid", f, &gid) < 0)
      return -1;
    /* a wrapped id (4294967296 -> 0) would be root: refuse instead, as runc does */
    if (uid > INT32_MAX || gid > INT32_MAX)
      return berr(0, "config: %s: uids and gids must be in range 0-%d", f, INT32_MAX);
    out->uid = (uid_t)uid;
    out->gid = (gid_t)gid;
    json_t *ag = json_object_get(user, "additionalGids");
    if (ag && !json_is_null(ag)) {
      if (!json_is_array(ag))
        return berr(0, "config: %s.additionalGids must be an array of integers", f);
      out->n_additional_gids = json_array_size(ag);
      out->additional_gids = calloc(out->n_additional_gids + 1, sizeof(gid_t));
      for (size_t i = 0; i < out->n_additional_gids; i++) {
        json_t *g = json_array_get(ag, i);
        if (!json_is_integer(g) || json_integer_value(g) < 0)
          return berr(0, "config: %s.additionalGids[%zu] must be a non-negative integer", f, i);
        out->additional_gids[i] = (gid_t)json_integer_value(g);
      }
    }
  }
  if (get_strv(p, "args", field, &out->args) < 0)
    return -1;
  if (out->args[0] == NULL || out->args[0][0] == '\0')
    return berr(0, "config: %s.args must have at least one non-empty element", field);
  if (get_strv(p, "env", field, &out->env) < 0)
    return -1;
  out->cwd = "/";
  if (get_str(p, "cwd", field, false, &out->cwd) < 0)
    return -1;
  if (out->cwd[0] != '/')
    return berr(0, "config: %s.cwd must be an absolute path, got %s", field, out->cwd);
  json_t *caps;
  if (get_obj(p, "capabilities", field, false, &caps) < 0)
    return -1;
  if (caps) {
    out->has_caps = true;
    if (parse_caps(caps, "bounding", field, &out->cap_bounding) < 0 ||
        parse_caps(caps, "effective", field, &out->cap_effective) < 0 ||
        parse_caps(caps, "permitted", field, &out->cap_permitted) < 0 ||
        parse_caps(caps, "inheritable", field, &out->cap_inheritable) < 0 ||
        parse_caps(caps, "ambient", field, &out->cap_ambient) < 0)
      return -1;
  }
  json_t *rl = json_object_get(p, "rlimits");
  if (rl && !json_is_null(rl)) {
    if (!json_is_array(rl))
      return berr(0, "config: %s.rlimits must be an array", field);
    out->n_rlimits = json_array_size(rl);
    out->rlimits = calloc(out->n_rlimits + 1, sizeof *out->rlimits);
    for (size_t i = 0; i < out->n_rlimits; i++) {
      json_t *r = json_array_get(rl, i);
      snprintf(f, sizeof f, "%s.rlimits[%zu]", field, i);
      if (!json_is_object(r))
        return berr(0, "config: %s must be an object", f);
      struct rlimit_spec *o = &out->rlimits[i];
      if (get_str(r, "type", f, true, &o->type) < 0 || get_uint(r, "hard", f, &o->hard) < 0 ||
          get_uint(r, "soft", f, &o->soft) < 0)
        return -1;
      o->resource = -1;
      for (size_t k = 0; k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
        if (strcmp(rlimit_names[k].name, o->type) == 0)
          o->resource = rlimit_names[k].resource;
      if (o->resource < 0)
        return berr(0, "config: %s.type: unknown rlimit %s", f, o->type);
    }
  }
  if (get_bool(p, "noNewPrivileges", field, &out->no_new_privs) < 0)
    return -1;
  if (get_str(p, "berthUser", field, false, &out->berth_user) < 0)
    return -1;
  if (get_obj(p, "seccomp", field, false, &out->seccomp) < 0)
    return -1;
  if (out->seccomp && seccomp_check(out->seccomp) < 0)
    return berr_ctx("config: %s.seccomp", field);
  return 0;
}

static int parse_mount(json_t *m, const char *field, struct mount_spec *out)
{
  if (!json_is_object(m))
    return berr(0, "config: %s must be an object", field);
  memset(out, 0, sizeof *out);
  if (get_str(m, "type", field, false, &out->type) < 0 || get_str(m, "source", field, false, &out->source) < 0 ||
      get_strv(m, "options", field, &out->options) < 0)
    return -1;
  return 0;
}

static const struct {
  const char *type;
  int flag;
} ns_types[] = {
    {"pid", CLONE_NEWPID}, {"mount", CLONE_NEWNS},       {"uts", CLONE_NEWUTS},
    {"ipc", CLONE_NEWIPC}, {"network", CLONE_NEWNET},    {"cgroup", CLONE_NEWCGROUP},
    {"user", CLONE_NEWUSER},
};

static int parse_id_mappings(json_t *linux_, const char *key, struct id_mapping *out, size_t *n)
{
  json_t *arr = json_object_get(linux_, key);
  *n = 0;
  if (arr == NULL || json_is_null(arr))
    return 0;
  if (!json_is_array(arr))
    return berr(0, "config: linux.%s must be an array", key);
  if (json_array_size(arr) > MAX_ID_MAPPINGS)
    return berr(0, "config: linux.%s: at most %d entries", key, MAX_ID_MAPPINGS);
  for (size_t i = 0; i < json_array_size(arr); i++) {
    char f[64];
    snprintf(f, sizeof f, "linux.%s[%zu]", key, i);
    json_t *m = json_array_get(arr, i);
    if (!json_is_object(m))
      return berr(0, "config: %s must be an object", f);
    struct id_mapping *o = &out[i];
    memset(o, 0, sizeof *o);
    if (get_uint(m, "containerID", f, &o->container_id) < 0 || get_uint(m, "hostID", f, &o->host_id) < 0 ||
        get_uint(m, "size", f, &o->size) < 0)
      return -1;
    if (o->size == 0 || o->container_id + o->size > 0xffffffffULL || o->host_id + o->size > 0xffffffffULL)
      return berr(0, "config: %s: size must be positive and the ranges below 2^32", f);
    (*n)++;
  }
  return 0;
}


static int parse_devices(json_t *linux_, struct spec *out)
{
  json_t *devs = json_object_get(linux_, "devices");
  if (devs == NULL || json_is_null(devs))
    return 0;
  if (!json_is_array(devs))
    return berr(0, "config: linux.devices must be an array");
  out->n_devices = json_array_size(devs);
  out->devices = calloc(out->n_devices + 1, sizeof *out->devices);
  for (size_t i = 0; i < out->n_devices; i++) {
    char f[64];
    snprintf(f, sizeof f, "linux.devices[%zu]", i);
    json_t *d = json_array_get(devs, i);
    if (!json_is_object(d))
      return berr(0, "config: %s must be an object", f);
    struct device_spec *o = &out->devices[i];
    const char *type = NULL;
    o->file_mode = 0666;
    if (get_str(d, "path", f, true, &o->path) < 0 || get_str(d, "type", f, true, &type) < 0 ||
        get_uint(d, "major", f, &o->major) < 0 || get_uint(d, "minor", f, &o->minor) < 0 ||
        get_uint(d, "fileMode", f, &o->file_mode) < 0 || get_uint(d, "uid", f, &o->uid) < 0 ||
        get_uint(d, "gid", f, &o->gid) < 0 || get_str(d, "berthHostPath", f, false, &o->host_path) < 0)
      return -1;
    if (strcmp(type, "c") != 0 && strcmp(type, "b") != 0)
      return berr(0, "config: %s.type: want c or b, not %s", f, type);
    o->type = type[0];
    if (o->path[0] != '/' || strcmp(o->path, "/") == 0)
      return berr(0, "config: %s.path must be an absolute path below /", f);
    if (o->uid > 0x7fffffff || o->gid > 0x7fffffff || o->file_mode > 07777)
      return berr(0, "config: %s: uid, gid or fileMode out of range", f);
  }
  return 0;
}

/* Keys are checked here too (the agent already allows only namespaced ones): letters, digits, _ -
 * and dots between them, so KEY -> /proc/sys/K/E/Y can never leave /proc/sys. */
static bool sysctl_key_ok(const char *k)
{
  if (!*k || *k == '.')
    return false;
  for (const char *p = k; *p; p++) {
    bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || (*p == '.' && p[1] && p[1] != '.');
    if (!ok)
      return false;
  }
  return true;
}

static int parse_sysctls(json_t *linux_, struct spec *out)
{
  json_t *sc;
  if (get_obj(linux_, "sysctl", "linux", false, &sc) < 0)
    return -1;
  if (sc == NULL)
    return 0;
  out->sysctls = calloc(json_object_size(sc) + 1, sizeof *out->sysctls);
  const char *key;
  json_t *v;
  json_object_foreach(sc, key, v)
  {
    if (!json_is_string(v))
      return berr(0, "config: linux.sysctl.%s must be a string", key);
    if (!sysctl_key_ok(key))
      return berr(0, "config: linux.sysctl: invalid key \"%s\"", key);
    out->sysctls[out->n_sysctls].key = key;
    out->sysctls[out->n_sysctls].value = json_string_value(v);
    out->n_sysctls++;
  }
  return 0;
}

const struct ns_spec *spec_namespace(const struct spec *s, int flag)
{
  for (size_t i = 0; i < s->n_namespaces; i++)
    if (s->namespaces[i].flag == flag)
      return &s->namespaces[i];
  return NULL;
}

int spec_load(const char *path, struct spec *out)
{
  memset(out, 0, sizeof *out);
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (root == NULL)
    return berr(0, "parse %s: line %d: %s", path, jerr.line, jerr.text);
  out->json = root;
  if (!json_is_object(root))
    return berr(0, "config: top level must be an object");

  json_t *p, *r, *linux_, *berth;
  if (get_obj(root, "process", "", true, &p) < 0 || process_parse(p, "process", &out->process) < 0)
    return -1;
  if (get_obj(root, "root", "", true, &r) < 0 || get_str(r, "path", "root", true, &out->root_path) < 0 ||
      get_bool(r, "readonly", "root", &out->root_readonly) < 0)
    return -1;
  if (out->root_path[0] != '/')
    return berr(0, "config: root.path must be an absolute path");
  if (get_str(root, "hostname", "", false, &out->hostname) < 0)
    return -1;

  json_t *mounts = json_object_get(root, "mounts");
  if (mounts && !json_is_null(mounts)) {
    if (!json_is_array(mounts))
      return berr(0, "config: mounts must be an array");
    out->n_mounts = json_array_size(mounts);
    out->mounts = calloc(out->n_mounts + 1, sizeof *out->mounts);
    for (size_t i = 0; i < out->n_mounts; i++) {
      char f[64];
      snprintf(f, sizeof f, "mounts[%zu]", i);
      json_t *m = json_array_get(mounts, i);
      if (parse_mount(m, f, &out->mounts[i]) < 0 ||
          get_str(m, "destination", f, true, &out->mounts[i].destination) < 0)
        return -1;
      if (out->mounts[i].destination[0] != '/')
        return berr(0, "config: %s.destination must be an absolute path", f);
      if (out->mounts[i].type == NULL)
        out->mounts[i].type = "bind";
    }
  }

  if (get_obj(root, "linux", "", false, &linux_) < 0)
    return -1;
  if (linux_) {
    json_t *nss = json_object_get(linux_, "namespaces");
    if (nss && !json_is_null(nss)) {
      if (!json_is_array(nss))
        return berr(0, "config: linux.namespaces must be an array");
      out->n_namespaces = json_array_size(nss);
      out->namespaces = calloc(out->n_namespaces + 1, sizeof *out->namespaces);
      for (size_t i = 0; i < out->n_namespaces; i++) {
        char f[64];
        snprintf(f, sizeof f, "linux.namespaces[%zu]", i);
        json_t *n = json_array_get(nss, i);
        if (!json_is_object(n))
          return berr(0, "config: %s must be an object", f);
        struct ns_spec *o = &out->namespaces[i];
        if (get_str(n, "type", f, true, &o->type) < 0 || get_str(n, "path", f, false, &o->path) < 0)
          return -1;
        for (size_t k = 0; k < sizeof ns_types / sizeof ns_types[0]; k++)
          if (strcmp(ns_types[k].type, o->type) == 0)
            o->flag = ns_types[k].flag;
        if (o->flag == 0)
          return berr(0, "config: %s.type: unsupported namespace %s", f, o->type);
      }
    }
    if (get_strv(linux_, "maskedPaths", "linux", &out->masked_paths) < 0 ||
        get_strv(linux_, "readonlyPaths", "linux", &out->readonly_paths) < 0)
      return -1;
    if (parse_devices(linux_, out) < 0 || parse_sysctls(linux_, out) < 0)
      return -1;
    if (parse_id_mappings(linux_, "uidMappings", out->uid_maps, &out->n_uid_maps) < 0 ||
        parse_id_mappings(linux_, "gidMappings", out->gid_maps, &out->n_gid_maps) < 0)
      return -1;
    json_t *sc;
    if (get_obj(linux_, "seccomp", "linux", false, &sc) < 0)
      return -1;
    if (sc && seccomp_check(sc) < 0)
      return berr_ctx("config: linux.seccomp");
    if (sc)
      out->process.seccomp = sc;
  } else {
    out->masked_paths = calloc(1, sizeof(char *));
    out->readonly_paths = calloc(1, sizeof(char *));
  }
  if (!spec_namespace(out, CLONE_NEWNS))
    return berr(0, "config: linux.namespaces must include a mount namespace");
  const struct ns_spec *userns_ns = spec_namespace(out, CLONE_NEWUSER);
  if (userns_ns && userns_ns->path)
    return berr(0, "config: joining a user namespace by path is not supported");
  out->userns = userns_ns != NULL;
  if (out->userns && (out->n_uid_maps == 0 || out->n_gid_maps == 0))
    return berr(0, "config: a user namespace needs linux.uidMappings and linux.gidMappings");
  if (!out->userns && (out->n_uid_maps || out->n_gid_maps))
    return berr(0, "config: linux.uidMappings need a user namespace in linux.namespaces");

  if (get_obj(root, "berth", "", true, &berth) < 0)
    return -1;
  json_t *rm;
  if (get_obj(berth, "rootfsMount", "berth", false, &rm) < 0)
    return -1;
  if (rm) {
    out->has_rootfs_mount = true;
    if (parse_mount(rm, "berth.rootfsMount", &out->rootfs_mount) < 0)
      return -1;
    if (out->rootfs_mount.type == NULL)
      return berr(0, "config: berth.rootfsMount.type is required");
    if (out->rootfs_mount.source == NULL)
      out->rootfs_mount.source = out->rootfs_mount.type;
  }
  const char *user = NULL;
  if (get_strv(berth, "cgroupProcs", "berth", &out->cgroup_procs) < 0 ||
      get_str(berth, "user", "berth", false, &user) < 0 ||
      get_str(berth, "logPath", "berth", true, &out->log_path) < 0 ||
      get_uint(berth, "logMaxSize", "berth", &out->log_max_size) < 0 ||
      get_uint(berth, "logMaxFile", "berth", &out->log_max_file) < 0 ||
      get_bool(berth, "openStdin", "berth", &out->open_stdin) < 0 ||
      get_bool(berth, "waitForAttach", "berth", &out->wait_for_attach) < 0 ||
      get_str(berth, "initPath", "berth", false, &out->init_path) < 0)
    return -1;
  if (out->init_path && out->init_path[0] != '/')
    return berr(0, "config: berth.initPath must be an absolute path");
  if (user)
    out->process.berth_user = user;
  if (out->log_max_file > 1 && out->log_max_size == 0)
    return berr(0, "config: berth.logMaxFile needs berth.logMaxSize");
  if (out->log_max_file > 1000)
    return berr(0, "config: berth.logMaxFile must be at most 1000");
  return 0;
}
