/* User lookup with the container's own files; numeric ids need no files. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "user.h"
#include "util.h"

static void cleanup_filep(FILE **f)
{
  if (*f)
    fclose(*f);
}

static bool is_numeric(const char *s, long long *v)
{
  return parse_int(s, v) == 0 && *v >= 0;
}

/* A number too big for an id would wrap (4294967296 becomes 0, root): refuse it, as runc does. */
static int check_id(const char *s, long long v)
{
  if (v > INT32_MAX)
    return berr(0, "invalid user %s: uids and gids must be in range 0-%d", s, INT32_MAX);
  return 0;
}

/* Finds a passwd entry by name (name != NULL) or uid. Returns 1 found, 0 not found. */
static int find_passwd(const char *name, uid_t uid, struct resolved_user *out, char *pw_name, size_t pw_name_size)
{
  __attribute__((cleanup(cleanup_filep))) FILE *f = fopen("/etc/passwd", "re");
  if (f == NULL)
    return 0;
  struct passwd *pw;
  while ((pw = fgetpwent(f)) != NULL) {
    if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid) {
      out->uid = pw->pw_uid;
      out->gid = pw->pw_gid;
      snprintf(out->home, sizeof out->home, "%s", pw->pw_dir);
      snprintf(pw_name, pw_name_size, "%s", pw->pw_name);
      return 1;
    }
  }
  return 0;
}

static int find_group(const char *name, gid_t *gid)
{
  __attribute__((cleanup(cleanup_filep))) FILE *f = fopen("/etc/group", "re");
  if (f == NULL)
    return 0;
  struct group *gr;
  while ((gr = fgetgrent(f)) != NULL) {
    if (strcmp(gr->gr_name, name) == 0) {
      *gid = gr->gr_gid;
      return 1;
    }
  }
  return 0;
}

static void add_group(struct resolved_user *out, gid_t g)
{
  for (size_t i = 0; i < out->n_groups; i++)
    if (out->groups[i] == g)
      return;
  if (out->n_groups < sizeof out->groups / sizeof out->groups[0])
    out->groups[out->n_groups++] = g;
}

static void member_groups(const char *user, struct resolved_user *out)
{
  __attribute__((cleanup(cleanup_filep))) FILE *f = fopen("/etc/group", "re");
  if (f == NULL)
    return;
  struct group *gr;
  while ((gr = fgetgrent(f)) != NULL)
    for (char **m = gr->gr_mem; m && *m; m++)
      if (strcmp(*m, user) == 0)
        add_group(out, gr->gr_gid);
}

int user_resolve(const struct process_spec *p, struct resolved_user *out)
{
  memset(out, 0, sizeof *out);
  snprintf(out->home, sizeof out->home, "/");
  char pw_name[256] = "";
  if (p->berth_user == NULL || p->berth_user[0] == '\0') {
    out->uid = p->uid;
    out->gid = p->gid;
    struct resolved_user tmp;
    if (find_passwd(NULL, p->uid, &tmp, pw_name, sizeof pw_name))
      snprintf(out->home, sizeof out->home, "%s", tmp.home);
    for (size_t i = 0; i < p->n_additional_gids; i++)
      add_group(out, p->additional_gids[i]);
    return 0;
  }
  char buf[512];
  snprintf(buf, sizeof buf, "%s", p->berth_user);
  char *group = strchr(buf, ':');
  if (group)
    *group++ = '\0';
  long long v;
  if (is_numeric(buf, &v)) {
    if (check_id(p->berth_user, v) < 0)
      return -1;
    out->uid = (uid_t)v;
    out->gid = 0;
    struct resolved_user tmp;
    if (find_passwd(NULL, out->uid, &tmp, pw_name, sizeof pw_name)) {
      out->gid = tmp.gid;
      snprintf(out->home, sizeof out->home, "%s", tmp.home);
    }
  } else if (!find_passwd(buf, 0, out, pw_name, sizeof pw_name)) {
    return berr(0, "unable to find user %s: no matching entries in passwd file", buf);
  }
  if (group && *group) {
    if (is_numeric(group, &v)) {
      if (check_id(p->berth_user, v) < 0)
        return -1;
      out->gid = (gid_t)v;
    }
    else if (!find_group(group, &out->gid))
      return berr(0, "unable to find group %s: no matching entries in group file", group);
  }
  if (pw_name[0])
    member_groups(pw_name, out);
  for (size_t i = 0; i < p->n_additional_gids; i++)
    add_group(out, p->additional_gids[i]);
  return 0;
}
