/* Seccomp with libseccomp, modelled on crun's libcrun/seccomp.c: every name, action and
 * comparison checked with a message naming the profile field at fault. Syscall names this
 * libseccomp does not know are skipped (as runc and crun do), so one profile fits old and new
 * kernels. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "seccomp.h"

static void cleanup_ctxp(scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release(*ctx);
}
#define cleanup_scmp __attribute__((cleanup(cleanup_ctxp)))

static int errno_ret(json_t *obj, const char *key, const char *field, int def)
{
  json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v))
    return def;
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4095)
    return berr(0, "seccomp: %s%s%s must be an integer 0..4095", field, *field ? "." : "", key);
  return (int)json_integer_value(v);
}

/* KEY names the action, ERRKEY its errno (errnoRet, or defaultErrnoRet for the default). */
static int parse_action(json_t *obj, const char *key, const char *errkey, const char *field, int def_errno,
                        uint32_t *out)
{
  json_t *v = json_object_get(obj, key);
  if (!json_is_string(v))
    return berr(0, "seccomp: %s%s%s must be a string", field, *field ? "." : "", key);
  const char *a = json_string_value(v);
  if (strcmp(a, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp(a, "SCMP_ACT_KILL") == 0 || strcmp(a, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp(a, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(a, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp(a, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp(a, "SCMP_ACT_ERRNO") == 0 || strcmp(a, "SCMP_ACT_TRACE") == 0) {
    int e = errno_ret(obj, errkey, field, def_errno);
    if (e < 0)
      return -1;
    *out = a[9] == 'E' ? SCMP_ACT_ERRNO((uint32_t)e) : SCMP_ACT_TRACE((uint32_t)e);
  } else
    return berr(0, "seccomp: %s%s%s: unsupported action %s", field, *field ? "." : "", key, a);
  return 0;
}

static int parse_op(const char *op, enum scmp_compare *out)
{
  static const struct {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp(ops[i].name, op) == 0) {
      *out = ops[i].op;
      return 0;
    }
  return -1;
}

static int get_u64(json_t *obj, const char *key, const char *field, uint64_t *out)
{
  json_t *v = json_object_get(obj, key);
  *out = 0;
  if (v == NULL || json_is_null(v))
    return 0;
  if (json_is_integer(v)) {
    *out = (uint64_t)json_integer_value(v);
    return 0;
  }
  if (json_is_real(v) && json_real_value(v) >= 0) { /* jansson keeps values above INT64_MAX as reals */
    *out = (uint64_t)json_real_value(v);
    return 0;
  }
  return berr(0, "seccomp: %s.%s must be an integer", field, key);
}

static int add_arches(scmp_filter_ctx ctx, json_t *arches)
{
  if (arches == NULL || json_is_null(arches))
    return 0;
  if (!json_is_array(arches))
    return berr(0, "seccomp: architectures must be an array of strings");
  for (size_t i = 0; i < json_array_size(arches); i++) {
    json_t *a = json_array_get(arches, i);
    if (!json_is_string(a))
      return berr(0, "seccomp: architectures[%zu] must be a string", i);
    const char *name = json_string_value(a);
    char lower[64];
    const char *p = strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : name;
    size_t n = 0;
    for (; p[n] && n < sizeof lower - 1; n++)
      lower[n] = (char)tolower((unsigned char)p[n]);
    lower[n] = '\0';
    uint32_t arch = seccomp_arch_resolve_name(lower);
    if (arch == 0)
      return berr(0, "seccomp: architectures[%zu]: unknown architecture %s", i, name);
    int r = seccomp_arch_add(ctx, arch);
    if (r < 0 && r != -EEXIST)
      return berr(-r, "seccomp: add architecture %s", name);
  }
  return 0;
}

static int add_rule(scmp_filter_ctx ctx, json_t *rule, size_t idx, uint32_t def_action, int def_errno)
{
  char field[64];
  snprintf(field, sizeof field, "syscalls[%zu]", idx);
  if (!json_is_object(rule))
    return berr(0, "seccomp: %s must be an object", field);
  uint32_t action;
  if (parse_action(rule, "action", "errnoRet", field, def_errno, &action) < 0)
    return -1;
  struct scmp_arg_cmp cmps[6];
  unsigned n_cmps = 0;
  json_t *args = json_object_get(rule, "args");
  if (args && !json_is_null(args)) {
    if (!json_is_array(args) || json_array_size(args) > 6)
      return berr(0, "seccomp: %s.args must be an array of at most 6 comparisons", field);
    for (size_t i = 0; i < json_array_size(args); i++) {
      json_t *a = json_array_get(args, i);
      char af[96];
      snprintf(af, sizeof af, "%s.args[%zu]", field, i);
      uint64_t index, value, two;
      json_t *op = json_object_get(a, "op");
      if (!json_is_object(a) || get_u64(a, "index", af, &index) < 0 || get_u64(a, "value", af, &value) < 0 ||
          get_u64(a, "valueTwo", af, &two) < 0)
        return json_is_object(a) ? -1 : berr(0, "seccomp: %s must be an object", af);
      if (index > 5)
        return berr(0, "seccomp: %s.index must be 0..5", af);
      enum scmp_compare cmp;
      if (!json_is_string(op) || parse_op(json_string_value(op), &cmp) < 0)
        return berr(0, "seccomp: %s.op: unsupported comparison %s", af, json_is_string(op) ? json_string_value(op) : "(none)");
      cmps[n_cmps++] = cmp == SCMP_CMP_MASKED_EQ ? SCMP_CMP((unsigned)index, cmp, value, two) : SCMP_CMP((unsigned)index, cmp, value);
    }
  }
  if (action == def_action)
    return 0; /* libseccomp refuses rules that repeat the default */
  json_t *names = json_object_get(rule, "names");
  if (!json_is_array(names))
    return berr(0, "seccomp: %s.names must be an array of strings", field);
  for (size_t i = 0; i < json_array_size(names); i++) {
    json_t *nm = json_array_get(names, i);
    if (!json_is_string(nm))
      return berr(0, "seccomp: %s.names[%zu] must be a string", field, i);
    int sys = seccomp_syscall_resolve_name(json_string_value(nm));
    if (sys == __NR_SCMP_ERROR)
      continue;
    int r = seccomp_rule_add_array(ctx, action, sys, n_cmps, cmps);
    if (r < 0)
      return berr(-r, "seccomp: %s: add rule for %s", field, json_string_value(nm));
  }
  return 0;
}

static int build(json_t *profile, scmp_filter_ctx *out)
{
  if (!json_is_object(profile))
    return berr(0, "seccomp: the profile must be an object");
  int def_errno = errno_ret(profile, "defaultErrnoRet", "", EPERM);
  if (def_errno < 0)
    return -1;
  uint32_t def_action;
  int r;
  if (parse_action(profile, "defaultAction", "defaultErrnoRet", "", def_errno, &def_action) < 0)
    return -1;
  scmp_filter_ctx ctx = seccomp_init(def_action);
  if (ctx == NULL)
    return berr(0, "seccomp: seccomp_init failed");
  *out = ctx;
  /* no_new_privs is the container's own setting (--security-opt no-new-privileges), not a side
   * effect of loading the filter */
  if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
    return berr(-r, "seccomp: clear the no_new_privs attribute");
  if (add_arches(ctx, json_object_get(profile, "architectures")) < 0)
    return -1;
  json_t *flags = json_object_get(profile, "flags");
  for (size_t i = 0; flags && json_is_array(flags) && i < json_array_size(flags); i++) {
    const char *f = json_string_value(json_array_get(flags, i));
    if (f && strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
      r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
    else if (f && strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
      r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
    else
      return berr(0, "seccomp: flags[%zu]: unsupported flag %s", i, f ? f : "(not a string)");
    if (r < 0)
      return berr(-r, "seccomp: set flag %s", f);
  }
  json_t *sys = json_object_get(profile, "syscalls");
  if (sys && !json_is_null(sys)) {
    if (!json_is_array(sys))
      return berr(0, "seccomp: syscalls must be an array");
    for (size_t i = 0; i < json_array_size(sys); i++)
      if (add_rule(ctx, json_array_get(sys, i), i, def_action, def_errno) < 0)
        return -1;
  }
  return 0;
}

int seccomp_check(json_t *profile)
{
  cleanup_scmp scmp_filter_ctx ctx = NULL;
  return build(profile, &ctx);
}

int seccomp_apply(json_t *profile)
{
  cleanup_scmp scmp_filter_ctx ctx = NULL;
  if (build(profile, &ctx) < 0)
    return -1;
  int r = seccomp_load(ctx);
  if (r < 0)
    return berr(-r, "seccomp: load the filter");
  return 0;
}
